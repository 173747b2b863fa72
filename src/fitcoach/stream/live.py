"""One open stream: replay from Last-Event-ID, then live messages as the broker hands them
over; the caller's account is re-checked on every heartbeat, so a blocked user or an ended
session closes the stream."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sse_starlette import ServerSentEvent

from fitcoach.access.dependencies import live_principal
from fitcoach.core.errors import DomainError
from fitcoach.stream.broker import StreamBroker, StreamMessage
from fitcoach.stream.service import stream_service


@dataclass(frozen=True)
class StreamCaller:
    user_id: uuid.UUID
    session_id: uuid.UUID


@dataclass(frozen=True)
class OpenStream:
    caller: StreamCaller
    broker: StreamBroker
    sessionmaker: async_sessionmaker[AsyncSession]
    read_only_sessionmaker: async_sessionmaker[AsyncSession]
    heartbeat_seconds: float
    max_seconds: float

    async def caller_still_allowed(self) -> bool:
        async with self.read_only_sessionmaker() as session:
            try:
                await live_principal(session, self.caller.user_id, self.caller.session_id)
            except DomainError:
                return False
        return True

    async def events(self, last_event_id: int | None) -> AsyncIterator[ServerSentEvent]:
        # Subscribed before the replay reads, so nothing committed in between is missed; what
        # both deliver is sent once.
        async with self.broker.subscribe(self.caller.user_id) as subscription:
            replayed: set[int] = set()
            if last_event_id is not None:
                async for message in stream_service.replay(
                    self.sessionmaker, self.caller.user_id, last_event_id
                ):
                    replayed.add(message.id)
                    yield _event(message)
            ends_at = time.monotonic() + self.max_seconds
            while (left := ends_at - time.monotonic()) > 0:
                try:
                    message = await asyncio.wait_for(
                        subscription.queue.get(), timeout=min(self.heartbeat_seconds, left)
                    )
                except TimeoutError:
                    if not await self.caller_still_allowed():
                        return
                    continue
                if subscription.overflowed:
                    # Fell too far behind: the client reconnects and replays the rest.
                    return
                if message.id not in replayed:
                    yield _event(message)


def _event(message: StreamMessage) -> ServerSentEvent:
    return ServerSentEvent(id=str(message.id), event=message.kind, data=json.dumps(message.data))
