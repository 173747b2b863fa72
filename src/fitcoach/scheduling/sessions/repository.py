"""Every query of sessions and bookings, and who may read a session: its coach, its booked
customers, an admin, and (for group sessions and classes others may book) customers who may
book it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import ScheduledSession, SessionBooking
from fitcoach.models.enums import Role
from fitcoach.models.user import Actor
from fitcoach.scheduling.sessions.rules import MAX_DURATION, BookingStatus, SessionStatus


def _readable_by(actor: Actor) -> ColumnElement[bool]:
    if actor.has_role(Role.ADMIN):
        return ScheduledSession.id.is_not(None)
    booked = (
        select(SessionBooking.id)
        .where(
            SessionBooking.session_id == ScheduledSession.id,
            SessionBooking.customer_id == actor.id,
        )
        .exists()
    )
    return (ScheduledSession.coach_id == actor.id) | booked


@dataclass(frozen=True)
class CalendarFilter:
    """Sessions meeting [start, end): of `coach_id`, or booked by `customer_id`, or (neither)
    every session; `status` if given."""

    start: datetime
    end: datetime
    coach_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    status: str | None


class SessionRepository:
    def add(self, session: AsyncSession, row: ScheduledSession | SessionBooking) -> None:
        session.add(row)

    async def get(self, session: AsyncSession, session_id: uuid.UUID) -> ScheduledSession | None:
        return await session.get(ScheduledSession, session_id)

    async def readable(
        self, session: AsyncSession, session_id: uuid.UUID, actor: Actor
    ) -> ScheduledSession | None:
        found: ScheduledSession | None = await session.scalar(
            select(ScheduledSession).where(ScheduledSession.id == session_id, _readable_by(actor))
        )
        return found

    async def calendar(
        self, session: AsyncSession, where: CalendarFilter, page: PageRequest
    ) -> tuple[list[ScheduledSession], int]:
        """A page of the calendar, by start; the range seeks on (coach_id, start_at),
        start_at, or the bookings' (customer_id, start_at)."""
        query = select(ScheduledSession).where(
            ScheduledSession.start_at < where.end,
            # Sessions last at most MAX_DURATION: the bound keeps the range an index seek.
            ScheduledSession.start_at > where.start - MAX_DURATION,
            ScheduledSession.end_at > where.start,
        )
        if where.coach_id is not None:
            query = query.where(ScheduledSession.coach_id == where.coach_id)
        if where.customer_id is not None:
            query = query.join(
                SessionBooking,
                (SessionBooking.session_id == ScheduledSession.id)
                & (SessionBooking.customer_id == where.customer_id)
                & (SessionBooking.start_at < where.end)
                & (SessionBooking.start_at > where.start - MAX_DURATION),
            )
        if where.status is not None:
            query = query.where(ScheduledSession.status == where.status)
        return await fetch_page(
            session, query.order_by(ScheduledSession.start_at, ScheduledSession.id), page
        )

    async def of_person(
        self, session: AsyncSession, user_id: uuid.UUID, span: tuple[datetime, datetime]
    ) -> list[tuple[ScheduledSession, SessionBooking | None]]:
        """The sessions `user_id` coaches or holds a booking in, meeting `span`, by start; with
        their booking when they are a customer of it."""
        start, end = span
        rows = await session.execute(
            select(ScheduledSession, SessionBooking)
            .outerjoin(
                SessionBooking,
                (SessionBooking.session_id == ScheduledSession.id)
                & (SessionBooking.customer_id == user_id),
            )
            .where(
                (ScheduledSession.coach_id == user_id) | SessionBooking.id.is_not(None),
                ScheduledSession.start_at < end,
                ScheduledSession.end_at > start,
            )
            .order_by(ScheduledSession.start_at)
        )
        return [(sess, booking) for sess, booking in rows]

    async def starting_between(
        self, session: AsyncSession, span: tuple[datetime, datetime]
    ) -> list[ScheduledSession]:
        """Scheduled sessions starting in (start, end]."""
        start, end = span
        rows = await session.scalars(
            select(ScheduledSession)
            .where(
                ScheduledSession.status == SessionStatus.scheduled.value,
                ScheduledSession.start_at > start,
                ScheduledSession.start_at <= end,
            )
            .order_by(ScheduledSession.start_at)
        )
        return list(rows)

    async def coach_sessions_between(
        self, session: AsyncSession, coach_id: uuid.UUID, span: tuple[datetime, datetime]
    ) -> list[ScheduledSession]:
        """The coach's scheduled sessions whose busy time (with buffer) meets `span`."""
        start, end = span
        rows = await session.scalars(
            select(ScheduledSession).where(
                ScheduledSession.coach_id == coach_id,
                ScheduledSession.status == SessionStatus.scheduled.value,
                ScheduledSession.start_at < end,
                ScheduledSession.start_at > start - MAX_DURATION,
                ScheduledSession.coach_busy_until > start,
            )
        )
        return list(rows)

    async def coach_conflict(
        self,
        session: AsyncSession,
        coach_id: uuid.UUID,
        span: tuple[datetime, datetime],
        other_than: uuid.UUID | None = None,
    ) -> ScheduledSession | None:
        """A scheduled session of the coach whose busy time (with its buffer) meets `span`."""
        start, busy_until = span
        query = select(ScheduledSession).where(
            ScheduledSession.coach_id == coach_id,
            ScheduledSession.status == SessionStatus.scheduled.value,
            ScheduledSession.start_at < busy_until,
            ScheduledSession.coach_busy_until > start,
        )
        if other_than is not None:
            query = query.where(ScheduledSession.id != other_than)
        found: ScheduledSession | None = await session.scalar(
            query.order_by(ScheduledSession.start_at).limit(1)
        )
        return found

    async def participant_conflict(
        self,
        session: AsyncSession,
        customer_ids: list[uuid.UUID],
        span: tuple[datetime, datetime],
        other_than: uuid.UUID | None = None,
    ) -> SessionBooking | None:
        """A live booking of one of the customers that overlaps `span`."""
        start, end = span
        query = select(SessionBooking).where(
            SessionBooking.customer_id.in_(customer_ids),
            SessionBooking.status == BookingStatus.booked.value,
            SessionBooking.start_at < end,
            SessionBooking.end_at > start,
        )
        if other_than is not None:
            query = query.where(SessionBooking.session_id != other_than)
        found: SessionBooking | None = await session.scalar(
            query.order_by(SessionBooking.start_at).limit(1)
        )
        return found

    async def take_place(self, session: AsyncSession, session_id: uuid.UUID) -> bool:
        """Count one more booking unless the session is full (one conditional update: under
        concurrency PostgreSQL re-reads the row after waiting for its lock)."""
        result = await session.execute(
            update(ScheduledSession)
            .where(
                ScheduledSession.id == session_id,
                ScheduledSession.booked < ScheduledSession.capacity,
            )
            .values(booked=ScheduledSession.booked + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release_place(self, session: AsyncSession, session_id: uuid.UUID) -> None:
        await session.execute(
            update(ScheduledSession)
            .where(ScheduledSession.id == session_id, ScheduledSession.booked > 0)
            .values(booked=ScheduledSession.booked - 1)
            .execution_options(synchronize_session=False)
        )

    async def booking_of(
        self, session: AsyncSession, session_id: uuid.UUID, customer_id: uuid.UUID
    ) -> SessionBooking | None:
        found: SessionBooking | None = await session.scalar(
            select(SessionBooking).where(
                SessionBooking.session_id == session_id,
                SessionBooking.customer_id == customer_id,
            )
        )
        return found

    async def bookings_of_sessions(
        self, session: AsyncSession, session_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, list[SessionBooking]]:
        found: dict[uuid.UUID, list[SessionBooking]] = {one: [] for one in session_ids}
        if not session_ids:
            return found
        rows = await session.scalars(
            select(SessionBooking)
            .where(SessionBooking.session_id.in_(session_ids))
            .order_by(SessionBooking.created_at, SessionBooking.id)
        )
        for row in rows:
            found[row.session_id].append(row)
        return found

    async def count_booked(self, session: AsyncSession, session_id: uuid.UUID) -> int:
        total = await session.scalar(
            select(func.count())
            .select_from(SessionBooking)
            .where(
                SessionBooking.session_id == session_id,
                SessionBooking.status == BookingStatus.booked.value,
            )
        )
        return int(total or 0)


session_repository = SessionRepository()
