"""Domain operations. Services flush but never commit: the request's session owns the transaction."""
