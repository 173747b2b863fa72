"""Queries of the live channel: a user's events after an id, and the stream tickets."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import StreamEvent, StreamTicket


class StreamRepository:
    async def add_event(self, session: AsyncSession, event: StreamEvent) -> StreamEvent:
        session.add(event)
        await session.flush()
        return event

    async def events_after(
        self, session: AsyncSession, user_id: uuid.UUID, after_id: int, limit: int
    ) -> Sequence[StreamEvent]:
        result = await session.scalars(
            select(StreamEvent)
            .where(StreamEvent.user_id == user_id, StreamEvent.id > after_id)
            .order_by(StreamEvent.id)
            .limit(limit)
        )
        return result.all()

    async def delete_events_before(self, session: AsyncSession, before: datetime) -> None:
        await session.execute(delete(StreamEvent).where(StreamEvent.created_at < before))

    def add_ticket(self, session: AsyncSession, ticket: StreamTicket) -> None:
        session.add(ticket)

    async def take_ticket(
        self, session: AsyncSession, ticket_hash: str, now: datetime
    ) -> tuple[uuid.UUID, uuid.UUID] | None:
        """Delete the live ticket and return its user and session: one statement, so two
        connections racing with one ticket cannot both get it."""
        row = (
            await session.execute(
                delete(StreamTicket)
                .where(StreamTicket.ticket_hash == ticket_hash, StreamTicket.expires_at > now)
                .returning(StreamTicket.user_id, StreamTicket.session_id)
            )
        ).first()
        return (row.user_id, row.session_id) if row is not None else None

    async def delete_expired_tickets(self, session: AsyncSession, now: datetime) -> None:
        await session.execute(delete(StreamTicket).where(StreamTicket.expires_at <= now))


stream_repository = StreamRepository()
