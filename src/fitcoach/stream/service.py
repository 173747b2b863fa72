"""The live channel's rules: an event for a user is stored in the caller's transaction and
published once it commits; a stream ticket is short-lived, single-use and stored hashed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.core.crypto import derive_key, keyed_hash, random_token
from fitcoach.db.session import after_commit
from fitcoach.models import StreamEvent, StreamTicket
from fitcoach.stream.broker import StreamMessage, broker_of
from fitcoach.stream.repository import stream_repository
from fitcoach.worker.jobs import JobContext, recurring

TICKET_TTL = timedelta(seconds=60)
# How far back a reconnecting client can resume from.
REPLAY_WINDOW = timedelta(days=2)
REPLAY_BATCH = 500


@dataclass(frozen=True)
class IssuedTicket:
    ticket: str
    expires_at: datetime


class StreamService:
    async def publish(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        kind: str,
        data: dict[str, Any],
    ) -> StreamEvent:
        """Put an event on `user_id`'s stream when the caller's transaction commits."""
        event = await stream_repository.add_event(
            session, StreamEvent(user_id=user_id, kind=kind, data=data)
        )
        broker = broker_of(session)
        if broker is not None:
            message = StreamMessage(id=event.id, user_id=user_id, kind=kind, data=data)
            after_commit(session, lambda: broker.publish(message))
        return event

    async def replay(
        self, sessionmaker: async_sessionmaker[AsyncSession], user_id: uuid.UUID, after_id: int
    ) -> AsyncIterator[StreamMessage]:
        """Everything on the user's stream after `after_id`, oldest first, read in batches so a
        long absence costs no more memory than a short one."""
        while True:
            async with sessionmaker() as session:
                events = await stream_repository.events_after(
                    session, user_id, after_id, REPLAY_BATCH
                )
            for event in events:
                yield StreamMessage(id=event.id, user_id=user_id, kind=event.kind, data=event.data)
                after_id = event.id
            if len(events) < REPLAY_BATCH:
                return

    async def prune(self, session: AsyncSession, now: datetime) -> None:
        """Drop events older than the replay window and expired tickets (a periodic job)."""
        await stream_repository.delete_events_before(session, now - REPLAY_WINDOW)
        await stream_repository.delete_expired_tickets(session, now)

    def issue_ticket(
        self,
        session: AsyncSession,
        signing_secret: str,
        caller: tuple[uuid.UUID, uuid.UUID],
        now: datetime,
    ) -> IssuedTicket:
        """A ticket for `caller` (user id, session id): the stream it opens lives and dies with
        that sign-in session."""
        ticket = random_token()
        user_id, session_id = caller
        expires_at = now + TICKET_TTL
        stream_repository.add_ticket(
            session,
            StreamTicket(
                ticket_hash=_ticket_hash(signing_secret, ticket),
                user_id=user_id,
                session_id=session_id,
                expires_at=expires_at,
            ),
        )
        return IssuedTicket(ticket=ticket, expires_at=expires_at)

    async def redeem_ticket(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        signing_secret: str,
        ticket: str,
        now: datetime,
    ) -> tuple[uuid.UUID, uuid.UUID] | None:
        # Its own transaction: the stream request is a GET, whose session never writes.
        async with sessionmaker() as session, session.begin():
            return await stream_repository.take_ticket(
                session, _ticket_hash(signing_secret, ticket), now
            )


def _ticket_hash(signing_secret: str, ticket: str) -> str:
    return keyed_hash(derive_key(signing_secret, "stream-ticket"), ticket)


stream_service = StreamService()


@recurring("stream.prune", cron="17 3 * * *")
async def prune_stream_job(ctx: JobContext) -> None:
    await stream_service.prune(ctx.session, ctx.now)
