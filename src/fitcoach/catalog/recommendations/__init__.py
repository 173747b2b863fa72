"""Programs recommended to a customer from their goals, preferences and risks."""
