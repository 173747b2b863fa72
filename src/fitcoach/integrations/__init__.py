"""Integrations: partners' API keys and the wearables that send customers' metrics."""
