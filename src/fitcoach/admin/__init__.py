"""The admin console's operations: business settings, blocking users, granting subscriptions."""
