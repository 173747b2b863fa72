"""The same fuzzing against a live `fitcoach serve` (uvicorn on a free loopback port, a temporary
SQLite database migrated at start-up): real sockets, real HTTP parsing, the production error
path. Fewer cases per operation in CI than in-process; the deep variant raises them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import anyio.from_thread
import httpx
import pytest
import requests
from schemathesis import Case

from fitcoach.worker.events import event_types
from tests.cli.test_serve import serving
from tests.conftest import TEST_JWT_SECRET
from tests.console import RUNS_ON_ITS_OWN_SQLITE, sqlite_url
from tests.robustness.fuzzing import (
    CI_LIVE_EXAMPLES,
    LIVE_CONFIG,
    LIVE_EXAMPLES_ENV,
    Callers,
    Database,
    database_beside,
    fuzz_app_settings,
    fuzz_settings,
    load_document_schema,
)
from tests.worker.processes import REPO_ROOT

pytestmark = RUNS_ON_ITS_OWN_SQLITE


def _event_modules_beyond_the_product() -> dict[str, str]:
    """The settings that make the server load the event classes this process had loaded when it
    built the document: the document lists every loaded event class (the webhooks' event types),
    and the test suite adds its own samples (the automation tests') when they are collected."""
    modules = sorted(
        {
            event_class.__module__
            for event_class in event_types().values()
            if not event_class.__module__.startswith("fitcoach.")
        }
    )
    if not modules:
        return {}
    return {"FITCOACH_WORKER_IMPORTS": ",".join(modules), "PYTHONPATH": str(REPO_ROOT)}


schema = load_document_schema(LIVE_CONFIG)
SAME_EVENT_CLASSES = _event_modules_beyond_the_product()
# Over the network to the server the fixture starts, not to the app that served the document.
schema.app = None


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    database: Database
    # One keep-alive connection pool for the run, as a real client would have.
    session: requests.Session


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("live")
    server = serving(
        workdir,
        FITCOACH_JWT_SECRET=TEST_JWT_SECRET,
        FITCOACH_RATE_LIMIT_ENABLED="false",
        FITCOACH_SMS_PROVIDER="outbox",
        FITCOACH_EMAIL_PROVIDER="outbox",
        FITCOACH_ACCESS_LOG="false",
        FITCOACH_STREAM_MAX_SECONDS="0.5",
        **SAME_EVENT_CLASSES,
    )
    settings = fuzz_app_settings(sqlite_url(workdir), workdir / "beside")
    # The server migrates its database as it starts, so the app beside it opens it after.
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(server) as served,
        database_beside(settings) as database,
        requests.Session() as session,
    ):
        session.trust_env = False
        yield LiveServer(str(served.http.base_url), database, session)


@pytest.fixture
def callers(live_server: LiveServer) -> Iterator[Callers]:
    yield live_server.database.sign_in_callers()
    live_server.database.empty()


def test_the_server_serves_the_fuzzed_document(live_server: LiveServer) -> None:
    """The cases come from the document the in-process app serves; the server's is the same."""
    served = httpx.get(f"{live_server.base_url}/openapi.json", trust_env=False)
    assert served.status_code == 200
    assert served.json() == schema.raw_schema


@schema.parametrize()
@fuzz_settings(LIVE_EXAMPLES_ENV, CI_LIVE_EXAMPLES)
def test_operation_survives_generated_requests(
    case: Case, live_server: LiveServer, callers: Callers
) -> None:
    callers.authorize(case)
    case.call_and_validate(base_url=live_server.base_url, session=live_server.session)
