"""Outgoing webhooks: partners subscribe endpoints to event types; the workers deliver each
matching event signed per Standard Webhooks, retry with backoff, and log every delivery."""
