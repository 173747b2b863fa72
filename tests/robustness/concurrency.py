"""Requests released together: every task is created and waiting at a barrier before any of them
sends, so the first one cannot finish before the last one has started."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


async def at_once(requests: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """Await the not-yet-started `requests` concurrently, all released by one barrier."""
    pending = list(requests)
    barrier = asyncio.Barrier(len(pending))

    async def released(request: Coroutine[Any, Any, T]) -> T:
        await barrier.wait()
        return await request

    return list(await asyncio.gather(*(released(request) for request in pending)))
