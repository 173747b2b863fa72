"""Engine construction for SQLite (the embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from fitcoach.config import Settings
from fitcoach.core.clock import Clock
from fitcoach.db.base import with_clock
from fitcoach.db.cache.reads import SESSION_INFO_KEY
from fitcoach.db.cache.store import InvalidatedCache
from fitcoach.db.cache.writes import WriteTrackingSession

SQLITE_BUSY_TIMEOUT_MS = 30_000
AUTOCOMMIT = "AUTOCOMMIT"
POOL_RECYCLE_SECONDS = 1800


def create_engine(settings: Settings) -> AsyncEngine:
    if settings.is_sqlite:
        engine = create_async_engine(
            settings.database_url,
            hide_parameters=True,
            pool_size=settings.database_pool_size,
            pool_timeout=settings.database_pool_timeout_seconds,
            # pysqlite's own transaction handling is off; _begin_immediate issues BEGIN itself.
            connect_args={"isolation_level": None, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        settings.database_url,
        # A statement's error message would otherwise quote its bound values (password hashes,
        # phone numbers, tokens) into every log line and traceback that shows the error.
        hide_parameters=True,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_timeout=settings.database_pool_timeout_seconds,
        # No pre-ping: it is a round trip on every checkout, i.e. on every request. A connection
        # that died (a restart, a failover) fails its first statement instead; SQLAlchemy then
        # invalidates the whole pool, that request answers 503 (kit.handlers) and the next one
        # gets a fresh connection. Recycling bounds how long an idle connection is trusted.
        pool_recycle=POOL_RECYCLE_SECONDS,
        connect_args={
            "timeout": settings.database_pool_timeout_seconds,
            "command_timeout": settings.database_command_timeout_seconds,
        },
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # SQLite upgrades a reader to a writer only if nobody wrote meanwhile, else it fails at once
    # with "database is locked". Taking the write lock up front makes concurrent requests queue
    # on busy_timeout instead; PostgreSQL is the database for concurrency-heavy production.
    # Read-only requests run in autocommit (see create_read_only_sessionmaker): they take no
    # lock, so reads never queue behind writers.
    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(connection: Connection) -> None:
        if connection.get_execution_options().get("isolation_level") != AUTOCOMMIT:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def connections_in_use(engine: AsyncEngine) -> int:
    pool = engine.pool
    return pool.checkedout() if isinstance(pool, QueuePool) else 0


def create_sessionmaker(engine: AsyncEngine, clock: Clock) -> async_sessionmaker[AsyncSession]:
    """Sessions that write: their rows' timestamps come from `clock` (db.base.TimestampMixin)."""
    return async_sessionmaker(
        with_clock(engine, clock),
        sync_session_class=WriteTrackingSession,
        expire_on_commit=False,
        autoflush=False,
    )


class ReadOnlySession(Session):
    """The session of a safe (GET, HEAD, OPTIONS) request. It runs in autocommit: no BEGIN and
    COMMIT round trips, and on SQLite no write lock. At READ COMMITTED each statement sees a
    fresh snapshot inside a transaction too, so reads see nothing different. A write here
    would commit statement by statement, outside the one-transaction-per-request rule, so
    INSERT, UPDATE, DELETE and flushes are refused."""


@event.listens_for(ReadOnlySession, "do_orm_execute")
def _refuse_orm_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlyRequestWrite(str(state.statement))


@event.listens_for(ReadOnlySession, "before_flush")
def _refuse_flush(session: Session, _context: object, _instances: object) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlyRequestWrite("flush of pending changes")


class ReadOnlyRequestWrite(RuntimeError):
    """A safe request tried to write: a bug in the endpoint, never the client's fault."""

    def __init__(self, what: str) -> None:
        super().__init__(f"A read-only (GET) request tried to write: {what}")


def create_read_only_sessionmaker(
    engine: AsyncEngine, read_caches: dict[str, InvalidatedCache[Any]] | None
) -> async_sessionmaker[AsyncSession]:
    """Sessions for safe requests; they alone read through the caches (db/cache/reads.py)."""
    return async_sessionmaker(
        engine.execution_options(isolation_level=AUTOCOMMIT),
        sync_session_class=ReadOnlySession,
        expire_on_commit=False,
        autoflush=False,
        info={SESSION_INFO_KEY: read_caches} if read_caches is not None else None,
    )
