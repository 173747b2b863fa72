"""Operators' view of background work: dead letters to inspect and retry (admin API), and the
service the `fitcoach jobs` command uses."""
