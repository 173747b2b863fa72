# Long-running checks beyond CI. PostgreSQL and Redis default to the local services that CI uses;
# override POSTGRES_URL / REDIS_URL to point elsewhere.
POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432
REDIS_URL ?= redis://127.0.0.1:6379/0
LOAD_SECONDS ?= 180
PYTEST = FITCOACH_TEST_POSTGRES_URL=$(POSTGRES_URL) FITCOACH_TEST_REDIS_URL=$(REDIS_URL) \
	.venv/bin/pytest -q -p no:cacheprovider

.PHONY: load robustness

# The load test for LOAD_SECONDS (CI runs it for 20 s), printing p50, p95 and p99.
load:
	FITCOACH_LOAD_SECONDS=$(LOAD_SECONDS) $(PYTEST) -m load tests/robustness

# Races, faults and the long load test together.
robustness:
	FITCOACH_LOAD_SECONDS=$(LOAD_SECONDS) $(PYTEST) tests/robustness tests/auth/test_races.py \
		tests/mfa/test_races.py tests/admin/test_races.py
