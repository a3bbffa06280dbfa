"""Notifications: the outbox, fan-out, the inbox, the live stream and signed webhooks."""
