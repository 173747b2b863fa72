"""Coach tasks: what the `task` action asks of a coach, listed and completed."""
