"""Automations: rules that act on domain events, their simulation on the event history, and
their runs."""
