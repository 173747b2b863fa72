"""Requests released together: every task is created and waiting at a barrier before any of them
sends, so the first one cannot finish before the last one has started."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


async def at_once(calls: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    barrier = asyncio.Barrier(len(calls))

    async def released(call: Callable[[], Awaitable[T]]) -> T:
        await barrier.wait()
        return await call()

    return list(await asyncio.gather(*(released(call) for call in calls)))
