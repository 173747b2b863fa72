"""A per-process read cache that is only as fresh as its invalidations.

Entries live in groups (a user's account, a plan, the settings); an invalidation drops a whole
group. The cache serves nothing while it is disabled: the owner (db.cache.change_feed) enables it
only while invalidations are known to arrive, and clears it whenever that stops being true.

A read that misses loads from the database and stores its result. Between the load and the
store an invalidation for the same group may arrive (the row changed after the load read it);
storing then would keep the stale value until the next change. So a reader takes a ticket
before loading, and `put` refuses the value if its group was invalidated after that ticket.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class _Miss:
    """What `get` answers for a value it does not hold (None is a value: "no such plan")."""


MISS = _Miss()

# Everything in the cache, when an invalidation names this instead of one group.
ALL_GROUPS = "*"


class InvalidatedCache(Generic[V]):
    def __init__(
        self,
        name: str,
        *,
        max_groups: int,
        ttl_seconds: float,
        max_keys_per_group: int = 256,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.enabled = False
        self._max_groups = max_groups
        self._max_keys = max_keys_per_group
        # A bound on how long a value is trusted, as a second line behind the invalidations.
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._groups: dict[str, dict[Hashable, tuple[V, float]]] = {}
        self._generation = 0
        # The generation at which each group was last invalidated; groups not listed were last
        # invalidated at or before `_floor`. Pruned to stay small under a stream of changes.
        self._invalidated_at: dict[str, int] = {}
        self._floor = 0

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._groups.values())

    def ticket(self) -> int:
        """Take before loading what will be `put`."""
        return self._generation

    def get(self, group: str, key: Hashable = None) -> V | _Miss:
        if not self.enabled:
            return MISS
        entries = self._groups.get(group)
        if entries is None:
            return MISS
        found = entries.get(key)
        if found is None:
            return MISS
        value, expires_at = found
        if expires_at <= self._monotonic():
            del entries[key]
            return MISS
        return value

    def put(self, group: str, key: Hashable, value: V, ticket: int) -> None:
        if not self.enabled:
            return
        if self._invalidated_at.get(group, self._floor) > ticket:
            return  # changed while it was being loaded
        entries = self._groups.get(group)
        if entries is None:
            if len(self._groups) >= self._max_groups:
                # The oldest group goes first: dicts keep insertion order.
                del self._groups[next(iter(self._groups))]
            entries = self._groups[group] = {}
        elif key not in entries and len(entries) >= self._max_keys:
            del entries[next(iter(entries))]
        entries[key] = (value, self._monotonic() + self._ttl)

    def invalidate(self, group: str) -> None:
        if group == ALL_GROUPS:
            self.clear()
            return
        self._generation += 1
        self._groups.pop(group, None)
        if len(self._invalidated_at) >= self._max_groups:
            self._invalidated_at.clear()
            self._floor = self._generation
        else:
            self._invalidated_at[group] = self._generation

    def clear(self) -> None:
        self._generation += 1
        self._groups.clear()
        self._invalidated_at.clear()
        self._floor = self._generation
