"""The change feed: how every worker learns, within a round trip, that a cached row changed.

PostgreSQL triggers send `NOTIFY fitcoach_changes, '<topic>:<key>'` for what is written to a
cached table (topics: db.cache.topics). Migration 0007, once per row: `user:<id>` for an
account, its roles, sessions and subscriptions; `plan:<id>` and `owner_plans:<user id>` for plans
and their items; and `settings:*` once per statement. Migration 0009, once per statement:
`catalog:*` for products, their goals, add-ons and reviews, coaches' rating totals and users'
names. A TRUNCATE sends `<topic>:*`.
NOTIFY is transactional, so a change is announced exactly when it commits, by whoever wrote it
(a request, the CLI, an operator in psql). Each worker keeps one listening connection and drops
the named cache groups as the announcements arrive.

The caches serve only while the feed is live: they start disabled, are enabled once the
listener is connected, and are disabled and cleared the moment it is lost (a restart, a cut
network, a keepalive that got no answer); the feed reconnects in the background. Without
PostgreSQL (SQLite, the embedded default) there is no feed and nothing is cached.

Within one worker a change is seen by the very next request: a request that wrote an announced
table (db.cache.writes) waits, after its commit, until its own announcements have come back
(`catch_up`, a NOTIFY sent after the commit arrives after the commit's own). Requests that wait
at the same time share one such barrier: any barrier sent after a request's commit will do.
Other workers see a change as soon as its announcement reaches them, which on one host is well
under a millisecond after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import defaultdict
from typing import Any

import asyncpg
import structlog
from sqlalchemy.engine import make_url

from fitcoach.config import Settings
from fitcoach.db.cache.reads import declared_reads
from fitcoach.db.cache.store import InvalidatedCache
from fitcoach.db.cache.writes import ANNOUNCED_TABLES, AnnouncedWrites

CHANNEL = "fitcoach_changes"
_BARRIER_TOPIC = "barrier"
KEEPALIVE_SECONDS = 10.0
RECONNECT_SECONDS = 1.0
# How long a request that wrote waits for its announcements before giving up on the feed.
CATCH_UP_TIMEOUT_SECONDS = 2.0
# How the listening connection shows in pg_stat_activity.
FEED_APPLICATION_NAME = "fitcoach-change-feed"

log = structlog.get_logger("fitcoach.change_feed")


class ChangeFeed:
    def __init__(self, dsn: str, *, connect_timeout: float) -> None:
        self._dsn = dsn
        self._connect_timeout = connect_timeout
        self._caches: dict[str, list[InvalidatedCache[Any]]] = defaultdict(list)
        self._connection: asyncpg.Connection | None = None
        self._query_lock = asyncio.Lock()
        self._barriers: dict[str, asyncio.Future[None]] = {}
        # The barrier made but not sent yet: a request that commits now may wait on it too.
        self._unsent: tuple[str, asyncio.Future[None]] | None = None
        self._sending: set[asyncio.Task[None]] = set()
        self.writes = AnnouncedWrites()
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self.live = False

    def attach(self, topic: str, cache: InvalidatedCache[Any]) -> None:
        """Invalidate `cache` by the keys announced under `topic`."""
        self._caches[topic].append(cache)

    async def start(self) -> None:
        """Connect once now, so that a healthy start serves from cache from its first request;
        a failure only leaves the caches off until the background task connects."""
        with contextlib.suppress(OSError, asyncpg.PostgresError, TimeoutError):
            await self._connect()
        self._task = asyncio.create_task(self._run(), name="fitcoach-change-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._drop_connection()

    async def catch_up(self) -> None:
        """Return once every change committed before this call has reached this worker."""
        connection = self._connection
        if not self.live or connection is None:
            return
        if self._unsent is None:
            token = uuid.uuid4().hex
            arrived = asyncio.get_running_loop().create_future()
            self._barriers[token] = arrived
            self._unsent = (token, arrived)
            # Sent by a task of its own: the requests waiting on it may be cancelled.
            task = asyncio.create_task(self._send_barrier(connection, token))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        token, arrived = self._unsent
        try:
            async with asyncio.timeout(CATCH_UP_TIMEOUT_SECONDS):
                await asyncio.shield(arrived)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            # Announcements may be missing: nothing cached can be trusted until reconnected.
            log.warning("change_feed_lost", reason="catch-up failed")
            self._set_live(False)
            self._lost.set()
        finally:
            self._barriers.pop(token, None)

    async def _send_barrier(self, connection: asyncpg.Connection, token: str) -> None:
        arrived = self._barriers.get(token)
        try:
            async with asyncio.timeout(CATCH_UP_TIMEOUT_SECONDS), self._query_lock:
                # Sent from here on: a commit after this point needs the next barrier.
                if self._unsent is not None and self._unsent[0] == token:
                    self._unsent = None
                await connection.execute(
                    "SELECT pg_notify($1, $2)", CHANNEL, f"{_BARRIER_TOPIC}:{token}"
                )
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            if self._unsent is not None and self._unsent[0] == token:
                self._unsent = None
            if arrived is not None and not arrived.done():
                arrived.set_exception(exc)

    async def _run(self) -> None:
        while True:
            try:
                await self._listen_until_lost()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # whatever broke the listener: start over
                log.warning("change_feed_unavailable", error=type(exc).__name__)
            await self._drop_connection()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen_until_lost(self) -> None:
        if self._connection is None:
            await self._connect()
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(KEEPALIVE_SECONDS):
                    await self._lost.wait()
            if self._lost.is_set() or not await self._answers():
                return

    async def _connect(self) -> None:
        connection = await asyncpg.connect(
            self._dsn,
            timeout=self._connect_timeout,
            server_settings={"application_name": FEED_APPLICATION_NAME},
        )
        rows = await connection.fetch(ANNOUNCED_TABLES)
        self.writes.tables = frozenset(row["relname"] for row in rows)
        await connection.add_listener(CHANNEL, self._on_notification)
        connection.add_termination_listener(self._on_terminated)
        self._connection = connection
        self._lost.clear()
        # Whatever changed while nobody listened is unknown: start from empty caches.
        self._set_live(True)

    async def _answers(self) -> bool:
        """A keepalive: a listener whose network went quiet would otherwise wait forever."""
        connection = self._connection
        if connection is None:
            return False
        try:
            async with asyncio.timeout(self._connect_timeout), self._query_lock:
                await connection.fetchval("SELECT 1")
            return True
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            log.warning("change_feed_lost", reason="keepalive unanswered")
            return False

    async def _drop_connection(self) -> None:
        self._set_live(False)
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()

    def _on_terminated(self, _connection: object) -> None:
        log.warning("change_feed_lost", reason="connection closed")
        self._set_live(False)
        self._lost.set()

    def _on_notification(
        self, _connection: object, _pid: int, _channel: str, payload: object
    ) -> None:
        topic, _, key = str(payload).partition(":")
        if topic == _BARRIER_TOPIC:
            arrived = self._barriers.get(key)
            if arrived is not None and not arrived.done():
                arrived.set_result(None)
            return
        for cache in self._caches.get(topic, ()):
            cache.invalidate(key)

    def _set_live(self, live: bool) -> None:
        if live == self.live and not live:
            return
        self.live = live
        for caches in self._caches.values():
            for cache in caches:
                cache.clear()
                cache.enabled = live


def create_read_caches(
    settings: Settings,
) -> tuple[ChangeFeed | None, dict[str, InvalidatedCache[Any]] | None]:
    """A cache for every declared read and the feed that keeps them exact; none without
    PostgreSQL or with FITCOACH_READ_CACHE_SECONDS=0."""
    if settings.is_sqlite or settings.read_cache_seconds == 0:
        return None, None
    dsn = make_url(settings.database_url).set(drivername="postgresql")
    feed = ChangeFeed(
        dsn.render_as_string(hide_password=False),
        connect_timeout=settings.database_pool_timeout_seconds,
    )
    caches: dict[str, InvalidatedCache[Any]] = {}
    for read in declared_reads():
        cache: InvalidatedCache[Any] = InvalidatedCache(
            read.name,
            max_groups=read.max_groups,
            max_keys_per_group=read.max_keys_per_group,
            ttl_seconds=settings.read_cache_seconds,
        )
        caches[read.name] = cache
        feed.attach(read.topic, cache)
    return feed, caches
