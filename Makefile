# The long variants of the robustness suite; CI (.ci/run) runs the same tests at CI amounts.
# Add FITCOACH_TEST_POSTGRES_URL=... (and FITCOACH_TEST_REDIS_URL=...) to run on PostgreSQL.
PYTEST := .venv/bin/pytest -p no:cacheprovider

.PHONY: fuzz-deep
fuzz-deep:  # 1,000 generated cases per operation in-process, 200 against a live server
	FITCOACH_FUZZ_EXAMPLES=1000 FITCOACH_FUZZ_LIVE_EXAMPLES=200 $(PYTEST) tests/robustness
