"""Cached reads for safe requests, each declared beside the repository query whose rows it keeps.

A repository declares, at module level, what it caches, which tables those values are read
from and which change-feed topic invalidates them, e.g. in access/repository.py:

    CALLERS = CachedRead("callers", topic=topics.USER, tables=("users", "user_roles", ...))

and reads through it with `await CALLERS.read(session, group, key, load)`: the cached value of
`(group, key)`, else what `load()` returns, kept for the next reader. A change announced under
the topic drops the group named by its key (`user:<id>` drops group `<id>`), or every group
(`<topic>:*`).

Only the sessions of safe requests (GET, HEAD, OPTIONS) carry the caches, in `session.info`
(db.engine.create_read_only_sessionmaker; db.session hands those sessions to safe requests). A
request that writes always reads the database: what it decides under its row locks must not rest
on a cached copy that may be a commit behind. Without caches (SQLite, or
FITCOACH_READ_CACHE_SECONDS=0) `read` just calls `load`. The change feed (db.cache.change_feed)
makes one cache per declaration, invalidates it by its topic, and lets it serve only while the
feed is live.

A cached value is shared by every request of the worker, so it must be immutable: a frozen
dataclass, a tuple, a read-only mapping, never a Pydantic model or a list that a caller could
change for everyone. Endpoints map cached values to their response schemas.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.db.cache.store import MISS, InvalidatedCache

V = TypeVar("V")
SESSION_INFO_KEY = "fitcoach.read_caches"

_DECLARED: list[CachedRead[Any]] = []


@dataclass(frozen=True, eq=False)
class CachedRead(Generic[V]):
    """`tables`: every table whose rows the cached values show; each must have a change-feed
    trigger announcing `topic` (one of db.cache.topics), which tests/db check."""

    name: str
    topic: str
    tables: tuple[str, ...]
    max_groups: int = 10_000
    # Keys (pages, ranges) kept per group; the oldest goes first. Bounds what one caller can
    # make a worker hold by varying a query.
    max_keys_per_group: int = 256

    def __post_init__(self) -> None:
        _DECLARED.append(self)

    async def read(
        self,
        session: AsyncSession,
        group: str,
        key: Hashable,
        load: Callable[[], Awaitable[V]],
    ) -> V:
        """The cached value, else `load()`'s, kept for the next reader. `load` must return an
        immutable value (a frozen dataclass, a tuple, a read-only mapping)."""
        caches: dict[str, InvalidatedCache[Any]] | None = session.info.get(SESSION_INFO_KEY)
        if caches is None:
            return await load()
        cache = cast("InvalidatedCache[V]", caches[self.name])
        found = cache.get(group, key)
        if found is not MISS:
            return cast(V, found)
        ticket = cache.ticket()
        value = await load()
        cache.put(group, key, value, ticket)
        return value


def declared_reads() -> tuple[CachedRead[Any], ...]:
    """Every cached read of the repositories imported so far (create_app imports them all)."""
    return tuple(_DECLARED)
