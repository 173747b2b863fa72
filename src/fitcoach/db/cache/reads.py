"""Cached reads for safe requests, declared by the repositories that own the queries.

A repository declares `CachedRead("callers", topic="user")` beside the query it caches and reads
through `await CALLERS.read(session, group, key, load)`. Only the sessions of safe requests
(GET, HEAD, OPTIONS: db.session) carry the caches, in `session.info`. A request that writes
always reads the database: what it decides under its row locks must not rest on a cached copy
that may be a commit behind. The caches are invalidated by the change feed (db/change_feed.py)
through the topic each read names, and serve only while that feed is live.
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
    name: str
    topic: str
    max_groups: int = 10_000

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
        immutable value (a frozen dataclass, a tuple, a model nobody changes)."""
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
