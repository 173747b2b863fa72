"""Wearables: provider webhooks verified, matched to customers, and their metrics stored."""
