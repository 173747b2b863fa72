"""Time-based triggers: conditions of elapsed time (no workout for N days, a subscription ending
in N days, a message unanswered for N hours) found by an hourly scan and recorded as events."""
