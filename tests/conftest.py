"""Test harness: a real database built by the migrations (SQLite, or PostgreSQL when
FITCOACH_TEST_POSTGRES_URL is set), a fresh app per test driven over HTTP, time from a frozen
clock. On SQLite each test gets a copy of the migrated file of its own; on PostgreSQL the tests
of a process share one database whose tables are emptied after each test.

FITCOACH_TEST_POSTGRES_URL  e.g. postgresql+asyncpg://postgres@127.0.0.1:5432 (a server, no db)
FITCOACH_TEST_REDIS_URL     e.g. redis://127.0.0.1:6379/0: rate limits stored in Redis

Under pytest-xdist (`-n 2`, as CI runs it) each worker is a session of its own: its own database
(a uniquely named PostgreSQL database, or a migrated SQLite file that each test copies), its own
temporary folders, free ports and Redis key prefixes.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from fitcoach.app import create_app
from fitcoach.auth.otp.providers import OutboxSmsProvider
from fitcoach.config import Settings
from fitcoach.core.clock import FrozenClock
from fitcoach.db.base import Base
from fitcoach.db.migrate import upgrade_to_head
from tests.factories import Factory

POSTGRES_URL = os.environ.get("FITCOACH_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("FITCOACH_TEST_REDIS_URL")
# Append-only on PostgreSQL (a trigger refuses UPDATE and DELETE).
AUDIT_TABLE = "audit_log"
SQLITE_URL_PREFIX = "sqlite+aiosqlite:///"
TEST_JWT_SECRET = "test-signing-secret-long-enough-for-every-hmac-variant-0123456789abcdef"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("postgres_only") and not POSTGRES_URL:
            item.add_marker(pytest.mark.skip(reason="needs FITCOACH_TEST_POSTGRES_URL"))


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def admin_execute(statement: str) -> None:
    assert POSTGRES_URL
    connection = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL.rstrip("/") + "/postgres"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def migrated_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The process's migrated database: on PostgreSQL the one the tests use, on SQLite the
    template each test copies."""
    if POSTGRES_URL:
        name = f"fitcoach_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(admin_execute(f'CREATE DATABASE "{name}"'))
        # A test database need not survive a crash of its server: commits without waiting for
        # the disk take a tenth of the time, and a test commits many times.
        asyncio.run(admin_execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        url = f"{POSTGRES_URL.rstrip('/')}/{name}"
        try:
            upgrade_to_head(url)
            yield url
        finally:
            asyncio.run(admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path_factory.mktemp("template") / "fitcoach.db"
        url = f"{SQLITE_URL_PREFIX}{path}"
        upgrade_to_head(url)
        yield url


def _own_database(migrated_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """On SQLite a copy of the migrated file (a millisecond, cheaper than emptying every
    table): nothing one test leaves behind, rows or a connection still holding the write lock,
    reaches the next. On PostgreSQL the shared database, emptied by the `app` fixture."""
    if POSTGRES_URL:
        return migrated_url
    template = Path(migrated_url.removeprefix(SQLITE_URL_PREFIX))
    path = tmp_path_factory.mktemp("db") / template.name
    shutil.copyfile(template, path)
    return f"{SQLITE_URL_PREFIX}{path}"


@pytest.fixture
def database_url(migrated_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return _own_database(migrated_database_url, tmp_path_factory)


@pytest.fixture(scope="module")
def module_database_url(
    migrated_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """For module-scoped apps: the database their module's tests share."""
    return _own_database(migrated_database_url, tmp_path_factory)


@pytest.fixture
def capsys(capsys: pytest.CaptureFixture[str]) -> pytest.CaptureFixture[str]:
    """pytest's capsys, except that under pytest-xdist what a test prints inside
    `capsys.disabled()` (the load test's percentiles) still reaches the run's output: a worker's
    stdout is /dev/null, its stderr is the run's."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        capsys.disabled = _stdout_to_stderr(capsys.disabled)  # type: ignore[method-assign]
    return capsys


def _stdout_to_stderr(
    disabled: Callable[[], AbstractContextManager[None]],
) -> Callable[[], AbstractContextManager[None]]:
    @contextmanager
    def disabled_to_stderr() -> Iterator[None]:
        with disabled():
            sys.stdout.flush()
            stdout = os.dup(1)
            os.dup2(2, 1)
            try:
                yield
            finally:
                sys.stdout.flush()
                os.dup2(stdout, 1)
                os.close(stdout)

    return disabled_to_stderr


@pytest.fixture
def clock() -> FrozenClock:
    # Answers show moments to the millisecond (the spec's `.000Z`): a clock on a whole
    # millisecond lets a test compare an answer's time with the clock's.
    now = datetime.now(UTC)
    return FrozenClock(now.replace(microsecond=now.microsecond // 1000 * 1000))


class _SettingsFromValuesOnly(Settings):
    """Settings from the values given alone: no environment variable or .env file reaches a
    test's app (and reading them for ~150 settings cost more than building the app)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": database_url,
        "data_dir": data_dir,
        "jwt_secret": TEST_JWT_SECRET,
        "sms_provider": "outbox",
        "redis_url": REDIS_URL,
        "rate_limit_key_prefix": f"fitcoach-test-{uuid.uuid4().hex}",
        "access_log": False,
        # A client reading a whole response (the ASGI transport, the fuzzers) gets the end of a
        # stream; the live-channel tests ask for longer.
        "stream_max_seconds": 0.5,
        # No background loops in a request test: a job due now still runs right after its
        # request commits. Tests of the workers turn them on.
        "worker_embedded": False,
    }
    values.update(overrides)
    return _SettingsFromValuesOnly(**values)


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, object]:
    """Settings for this test's app: override the fixture in a module, or parametrize it
    indirectly (`@pytest.mark.parametrize("settings_overrides", [{...}], indirect=True)`)."""
    overrides: dict[str, object] = getattr(request, "param", {})
    return overrides


@pytest.fixture
async def app(
    database_url: str, tmp_path: Path, clock: FrozenClock, settings_overrides: dict[str, object]
) -> AsyncIterator[FastAPI]:
    application = create_app(
        make_settings(database_url, tmp_path, **settings_overrides), clock=clock
    )
    # The transport does not run the lifespan, so the fixture does: shutdown closes the pools.
    async with application.router.lifespan_context(application):
        try:
            yield application
        finally:
            if POSTGRES_URL:
                await _empty_tables(application)


# The document never opens the database it is configured with.
DOCUMENT_ONLY_DATABASE_URL = "sqlite+aiosqlite:///unused-by-the-openapi-route.db"


@pytest.fixture(scope="session")
def served_document() -> dict[str, Any]:
    """GET /openapi.json of an app with the tests' settings, fetched once per test process:
    building the document takes seconds, and it depends on no database and no request, only on
    the code and the event classes loaded (all imported by the time tests run)."""

    async def fetch() -> dict[str, Any]:
        application = create_app(make_settings(DOCUMENT_ONLY_DATABASE_URL, Path("data")))
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.get("/openapi.json")
        assert response.status_code == 200
        document: dict[str, Any] = response.json()
        return document

    return asyncio.run(fetch())


@pytest.fixture
def openapi_document(served_document: dict[str, Any]) -> dict[str, Any]:
    """The served document, a copy of its own for each test."""
    return copy.deepcopy(served_document)


async def _empty_tables(application: FastAPI) -> None:
    # The app's workers still run here: a relay updating rows of several tables can deadlock
    # with the deletes, taken table by table; PostgreSQL then cancels one side, and emptying
    # again succeeds.
    for attempt in range(3):
        try:
            await _empty_tables_once(application)
            return
        except asyncpg.DeadlockDetectedError:
            if attempt == 2:
                raise


@functools.cache
def _emptying_script(postgresql: bool) -> str:
    """Every table emptied in one script, children first. On PostgreSQL the audit trail's
    trigger refuses deletes: a session acting as a replica skips it, for that table only (the
    other tables' change-feed triggers must still announce the deletes)."""
    others = [table.name for table in reversed(Base.metadata.sorted_tables)]
    others.remove(AUDIT_TABLE)
    deletes = "".join(f"DELETE FROM {table}; " for table in others)  # noqa: S608 - metadata's
    if postgresql:
        audit = (
            "BEGIN; SET LOCAL session_replication_role = replica; "  # noqa: S608 - a constant
            f"DELETE FROM {AUDIT_TABLE}; SET LOCAL session_replication_role = origin; "
        )
    else:
        audit = f"BEGIN IMMEDIATE; DELETE FROM {AUDIT_TABLE}; "  # noqa: S608 - a constant
    return f"{audit}{deletes}COMMIT;"


async def _empty_tables_once(application: FastAPI) -> None:
    # One script in one round trip: a statement per table through SQLAlchemy cost more than many
    # a test, and PostgreSQL's TRUNCATE (new files for each table, synced at commit) far more.
    async with application.state.engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        if connection.dialect.name == "postgresql":
            await driver.execute(_emptying_script(postgresql=True))
        else:
            await driver.executescript(_emptying_script(postgresql=False))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def shared_database_emptied_afterwards(app: FastAPI) -> None:
    """For tests whose standalone apps write to the session's test database: the `app`
    fixture's teardown empties every table, as it does for its own app."""


@pytest.fixture
def outbox(app: FastAPI) -> OutboxSmsProvider:
    provider: OutboxSmsProvider = app.state.sms_provider
    return provider


@pytest.fixture
def factory(app: FastAPI, client: httpx.AsyncClient) -> Factory:
    return Factory(app, client)
