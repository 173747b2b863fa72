"""Fan-out of live events to the streams open on this process. In-process by default; with
Redis, every process publishes to one pub/sub channel and each process hands what it hears to
its own open streams, so a change committed on any server worker or host reaches a stream open
on any other.

A message lost here (Redis down between the commit and the publish) is not lost to the client:
the event is in the database, and the stream replays it on reconnect (Last-Event-ID)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as redis
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.core.metrics import STREAMS_OPEN

log = structlog.get_logger("fitcoach.stream")

# Where sessions made by the app's sessionmaker find the broker (create_app puts it there).
BROKER_INFO_KEY = "fitcoach.stream_broker"
# A stream that falls this far behind is closed; its client resumes from Last-Event-ID.
QUEUE_SIZE = 1_000
RECONNECT_SECONDS = 1.0
# How long a user counts as connected after their last stream opened, should its process die
# without saying it closed (at least the longest life of a stream).
PRESENCE_SECONDS = 600.0


@dataclass(frozen=True)
class StreamMessage:
    id: int
    user_id: uuid.UUID
    kind: str
    data: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(
            {"id": self.id, "userId": str(self.user_id), "kind": self.kind, "data": self.data}
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> StreamMessage:
        body = json.loads(raw)
        return cls(
            id=int(body["id"]),
            user_id=uuid.UUID(body["userId"]),
            kind=str(body["kind"]),
            data=dict(body["data"]),
        )


@dataclass(eq=False)
class Subscription:
    """One open stream's inbox. `overflowed`: it fell behind and must be closed."""

    queue: asyncio.Queue[StreamMessage] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )
    overflowed: bool = False


class StreamBroker:
    """In-process fan-out; the Redis broker below adds the hop between processes."""

    name = "memory"

    def __init__(self) -> None:
        self._subscriptions: dict[uuid.UUID, set[Subscription]] = {}

    @contextlib.asynccontextmanager
    async def subscribe(self, user_id: uuid.UUID) -> AsyncIterator[Subscription]:
        subscription = Subscription()
        self._subscriptions.setdefault(user_id, set()).add(subscription)
        STREAMS_OPEN.inc()
        try:
            yield subscription
        finally:
            STREAMS_OPEN.dec()
            subscribers = self._subscriptions.get(user_id)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscriptions[user_id]

    async def is_connected(self, user_id: uuid.UUID) -> bool:
        """Whether `user_id` has a stream open (here: on this process)."""
        return bool(self._subscriptions.get(user_id))

    def open_streams(self) -> int:
        return sum(len(subscribers) for subscribers in self._subscriptions.values())

    def _fan_out(self, message: StreamMessage) -> None:
        for subscription in self._subscriptions.get(message.user_id, ()):
            try:
                subscription.queue.put_nowait(message)
            except asyncio.QueueFull:
                subscription.overflowed = True

    async def publish(self, message: StreamMessage) -> None:
        self._fan_out(message)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class RedisStreamBroker(StreamBroker):
    """One pub/sub connection per process, listening on one channel for every user."""

    name = "redis"

    def __init__(self, url: str, channel: str, presence_seconds: float = PRESENCE_SECONDS) -> None:
        super().__init__()
        self._presence_seconds = max(int(presence_seconds), 1)
        # No read timeout: the listener waits on an idle channel for as long as it stays idle.
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=1.0)
        self._channel = channel
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    @contextlib.asynccontextmanager
    async def subscribe(self, user_id: uuid.UUID) -> AsyncIterator[Subscription]:
        """Also counted in Redis, so any process can tell whether the user is connected. The
        count expires on its own: a process that dies with streams open leaves no user
        "connected" for longer than a stream may live."""
        key = self._presence_key(user_id)
        with contextlib.suppress(redis.RedisError, OSError):
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, self._presence_seconds)
                await pipe.execute()
        try:
            async with super().subscribe(user_id) as subscription:
                yield subscription
        finally:
            with contextlib.suppress(redis.RedisError, OSError):
                await self._redis.decr(key)

    async def is_connected(self, user_id: uuid.UUID) -> bool:
        if await super().is_connected(user_id):
            return True
        try:
            count = await self._redis.get(self._presence_key(user_id))
        except (redis.RedisError, OSError):
            # Unknown: rather a push too many than a message nobody hears of.
            return False
        return count is not None and int(count) > 0

    def _presence_key(self, user_id: uuid.UUID) -> str:
        return f"{self._channel}:presence:{user_id}"

    async def publish(self, message: StreamMessage) -> None:
        try:
            await self._redis.publish(self._channel, message.to_json())
        except (redis.RedisError, OSError) as exc:
            # Streams on this process still get it; others replay it on reconnect.
            log.warning("stream_publish_failed", error=type(exc).__name__)
            self._fan_out(message)

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="stream-broker-listener")
        # A stream opened right after start-up must not miss what is published next.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout=RECONNECT_SECONDS * 2)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._redis.aclose()

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._ready.set()
                    while True:
                        received = await pubsub.get_message(timeout=RECONNECT_SECONDS)
                        if received is not None and received["type"] == "message":
                            self._receive(received["data"])
            except (redis.RedisError, OSError) as exc:
                log.warning("stream_listener_lost", error=type(exc).__name__)
                await asyncio.sleep(RECONNECT_SECONDS)

    def _receive(self, raw: bytes) -> None:
        try:
            message = StreamMessage.from_json(raw)
        except (ValueError, KeyError, TypeError):
            log.warning("stream_message_unreadable")
            return
        self._fan_out(message)


def create_stream_broker(
    redis_url: str | None, channel: str, presence_seconds: float = PRESENCE_SECONDS
) -> StreamBroker:
    return RedisStreamBroker(redis_url, channel, presence_seconds) if redis_url else StreamBroker()


def broker_of(session: AsyncSession) -> StreamBroker | None:
    """The broker of the app whose sessionmaker made `session`; None for a session made
    elsewhere (a script), whose events reach clients on their next reconnect."""
    broker: StreamBroker | None = session.info.get(BROKER_INFO_KEY)
    return broker
