"""jobmatch: matching job seekers from Ningbo's partner regions with Ningbo employers."""
