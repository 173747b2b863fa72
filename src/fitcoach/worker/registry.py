"""Subscriptions of handlers to event types. A handler is idempotent by construction: the
engine runs it in its own transaction together with a processed-events row keyed by (handler
name, event id), so a redelivered event has no second effect."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.worker.events import DomainEvent

E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[AsyncSession, Any], Awaitable[None]]
# Of the event types given, those a catch-all handler wants now: asked once per relayed batch,
# so a handler interested in few events (or none, most of the time) costs no job for the rest.
Selector = Callable[[AsyncSession, Collection[str]], Awaitable[set[str]]]


@dataclass(frozen=True)
class Subscription:
    name: str
    # None: every event type, including those loaded after the handler registered.
    event_type: type[DomainEvent] | None
    handler: Handler
    selects: Selector | None = None


_BY_NAME: dict[str, Subscription] = {}


def on_event(
    event_type: type[E] | None, *, name: str, selects: Selector | None = None
) -> Callable[[Handler], Handler]:
    """Register `async def handler(session, event)` for `event_type` under a stable `name`
    (the processed-events key: renaming a handler makes it see old events as new). With
    `event_type` None it is a catch-all: every event type, or those `selects` picks."""

    def register(handler: Handler) -> Handler:
        known = _BY_NAME.get(name)
        if known is not None and known.handler.__qualname__ != handler.__qualname__:
            raise ValueError(f"two handlers share the name {name!r}")
        _BY_NAME[name] = Subscription(
            name=name, event_type=event_type, handler=handler, selects=selects
        )
        return handler

    return register


def subscriptions_to(event_type: str) -> list[Subscription]:
    return [
        sub
        for sub in _BY_NAME.values()
        if sub.event_type is None or sub.event_type.type == event_type
    ]


async def subscriptions_for(
    session: AsyncSession, event_types: Collection[str]
) -> dict[str, list[Subscription]]:
    """The subscriptions each of `event_types` reaches now (selectors asked once each)."""
    wanted = {
        sub.name: await sub.selects(session, event_types)
        for sub in _BY_NAME.values()
        if sub.selects is not None
    }
    return {
        event_type: [
            sub
            for sub in subscriptions_to(event_type)
            if sub.selects is None or event_type in wanted[sub.name]
        ]
        for event_type in event_types
    }


def subscription(name: str) -> Subscription | None:
    return _BY_NAME.get(name)
