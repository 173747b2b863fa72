"""Health: whether the service and its dependencies are up, and which version runs."""
