# The long variants of the robustness suite; CI (.ci/run) runs the same tests at CI amounts.
# PostgreSQL and Redis default to the local services that CI uses; override POSTGRES_URL /
# REDIS_URL to point elsewhere.
POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432
REDIS_URL ?= redis://127.0.0.1:6379/0
LOAD_SECONDS ?= 180
PYTEST = FITCOACH_TEST_POSTGRES_URL=$(POSTGRES_URL) FITCOACH_TEST_REDIS_URL=$(REDIS_URL) \
	.venv/bin/pytest -q -p no:cacheprovider

.PHONY: fuzz-deep load robustness

# 1,000 generated cases per operation in-process (the generic pass, on PostgreSQL), 200
# schema-valid ones (the positive pass, on SQLite) and 200 against a live server (which always
# runs on its own SQLite database): the last two run without the PostgreSQL URL.
fuzz-deep:
	FITCOACH_FUZZ_EXAMPLES=1000 $(PYTEST) tests/robustness/test_fuzz_asgi.py
	FITCOACH_FUZZ_POSITIVE_EXAMPLES=200 FITCOACH_FUZZ_LIVE_EXAMPLES=200 \
		.venv/bin/pytest -q -p no:cacheprovider \
		tests/robustness/test_fuzz_asgi.py tests/robustness/test_fuzz_live.py

# The load test for LOAD_SECONDS (CI runs it for 20 s), printing p50, p95 and p99.
load:
	FITCOACH_LOAD_SECONDS=$(LOAD_SECONDS) $(PYTEST) -m load tests/robustness

# Races, faults and the long load test together.
robustness:
	FITCOACH_LOAD_SECONDS=$(LOAD_SECONDS) $(PYTEST) tests/robustness tests/auth/test_races.py \
		tests/auth/mfa/test_races.py tests/plans/test_default_plan_races.py
