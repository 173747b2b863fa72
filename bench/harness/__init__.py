"""The pieces of bench/run.py: database and seed, servers, wrk, memory, scenarios, report."""
