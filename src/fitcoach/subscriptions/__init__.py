"""Subscriptions: the free trial every registration starts, and paid access."""
