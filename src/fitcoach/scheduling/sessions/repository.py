"""Every query of sessions and bookings, and who may read a session: its coach, its booked
customers, an admin, and (for group sessions and classes others may book) customers who may
book it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.db.cache import topics
from fitcoach.db.cache.reads import CachedRead
from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import ScheduledSession, SessionBooking, WaitlistEntry
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


@dataclass(frozen=True)
class SessionFacts:
    """A session as a calendar shows it, frozen: what a cached calendar page holds."""

    id: uuid.UUID
    type: str
    status: str
    coach_id: uuid.UUID
    start_at: datetime
    end_at: datetime
    timezone: str
    location: str
    join_link: str | None
    capacity: int
    booked: int
    held: int
    cancellation_reason: str | None
    series_id: uuid.UUID | None
    drop_in_price_minor: int | None
    drop_in_currency: str | None

    @classmethod
    def of(cls, row: ScheduledSession) -> SessionFacts:
        return cls(
            id=row.id,
            type=row.type,
            status=row.status,
            coach_id=row.coach_id,
            start_at=row.start_at,
            end_at=row.end_at,
            timezone=row.timezone,
            location=row.location,
            join_link=row.join_link,
            capacity=row.capacity,
            booked=row.booked,
            held=row.held,
            cancellation_reason=row.cancellation_reason,
            series_id=row.series_id,
            drop_in_price_minor=row.drop_in_price_minor,
            drop_in_currency=row.drop_in_currency,
        )


@dataclass(frozen=True)
class BookingFacts:
    id: uuid.UUID
    customer_id: uuid.UUID
    status: str
    created_at: datetime

    @classmethod
    def of(cls, row: SessionBooking) -> BookingFacts:
        return cls(row.id, row.customer_id, row.status, row.created_at)


@dataclass(frozen=True)
class CalendarPage:
    """A page of a calendar by start, every booking of its sessions, and the calendar's size."""

    sessions: tuple[SessionFacts, ...]
    bookings: Mapping[uuid.UUID, tuple[BookingFacts, ...]]
    total: int


# Pages of coaches' calendars (a coach reading their own, an admin reading one coach's), as a
# console polls them. Sessions announce their coach and bookings their session's coach
# (migration 0030), so a change drops that coach's pages only; a coach keeps at most
# `max_keys_per_group` ranges and pages. Customers' and the all-coaches calendars are read
# from the database: a booking would have to announce every customer of its session.
COACH_CALENDARS: CachedRead[CalendarPage] = CachedRead(
    "coach_calendars",
    topic=topics.CALENDAR,
    tables=(ScheduledSession.__tablename__, SessionBooking.__tablename__),
    max_groups=5_000,
    max_keys_per_group=64,
)


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
    ) -> CalendarPage:
        """A page of the calendar with its sessions' bookings; a coach's from the read cache
        when a safe request's session carries it."""

        async def load() -> CalendarPage:
            sessions, total = await self._calendar_rows(session, where, page)
            bookings = await self.bookings_of_sessions(session, [one.id for one in sessions])
            return CalendarPage(
                sessions=tuple(SessionFacts.of(one) for one in sessions),
                bookings=MappingProxyType(
                    {key: tuple(map(BookingFacts.of, rows)) for key, rows in bookings.items()}
                ),
                total=total,
            )

        if where.coach_id is None:
            return await load()
        return await COACH_CALENDARS.read(session, str(where.coach_id), (where, page), load)

    async def _calendar_rows(
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
        """Count one more booking unless the session is full, places offered to its waitlist
        included (one conditional update: under concurrency PostgreSQL re-reads the row after
        waiting for its lock)."""
        result = await session.execute(
            update(ScheduledSession)
            .where(
                ScheduledSession.id == session_id,
                ScheduledSession.booked + ScheduledSession.held < ScheduledSession.capacity,
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


# A waitlist entry's states; waiting and offered ones are in line.
WAITING, OFFERED, CLAIMED, EXPIRED, LEFT, CLOSED = (
    "waiting",
    "offered",
    "claimed",
    "expired",
    "left",
    "closed",
)
IN_LINE = (WAITING, OFFERED)


class WaitlistRepository:
    """The queries of sessions' waitlists."""

    async def lock_session(
        self, session: AsyncSession, session_id: uuid.UUID
    ) -> ScheduledSession | None:
        """The session, re-read and locked (PostgreSQL) until the transaction ends: whoever
        hands out its free places does so one at a time."""
        found: ScheduledSession | None = await session.scalar(
            select(ScheduledSession)
            .where(ScheduledSession.id == session_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return found

    async def entry_of(
        self, session: AsyncSession, session_id: uuid.UUID, customer_id: uuid.UUID
    ) -> WaitlistEntry | None:
        found: WaitlistEntry | None = await session.scalar(
            select(WaitlistEntry)
            .where(WaitlistEntry.session_id == session_id, WaitlistEntry.customer_id == customer_id)
            .execution_options(populate_existing=True)
        )
        return found

    async def last_number(self, session: AsyncSession, session_id: uuid.UUID) -> int:
        found = await session.scalar(
            select(func.max(WaitlistEntry.number)).where(WaitlistEntry.session_id == session_id)
        )
        return int(found or 0)

    async def ahead_of(self, session: AsyncSession, entry: WaitlistEntry) -> tuple[int, int]:
        """(waiting, offered): the entries in line before `entry`."""
        rows = await session.execute(
            select(WaitlistEntry.status, func.count())
            .where(
                WaitlistEntry.session_id == entry.session_id,
                WaitlistEntry.status.in_(IN_LINE),
                WaitlistEntry.number < entry.number,
            )
            .group_by(WaitlistEntry.status)
        )
        counts = {status: int(count) for status, count in rows}
        return counts.get(WAITING, 0), counts.get(OFFERED, 0)

    async def next_waiting(
        self, session: AsyncSession, session_id: uuid.UUID, limit: int
    ) -> list[WaitlistEntry]:
        rows = await session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.session_id == session_id, WaitlistEntry.status == WAITING)
            .order_by(WaitlistEntry.number)
            .limit(limit)
            .with_for_update()
        )
        return list(rows)

    async def settle_offer(
        self, session: AsyncSession, entry_id: uuid.UUID, outcome: str, now: datetime
    ) -> bool:
        """Move an open offer to `outcome` (claimed while it runs, expired once it ran out); at
        most one of a claim and the expiry job wins, the loser's update finding no row."""
        still_open = (
            WaitlistEntry.offer_expires_at > now
            if outcome == CLAIMED
            else WaitlistEntry.offer_expires_at <= now
        )
        result = await session.execute(
            update(WaitlistEntry)
            .where(WaitlistEntry.id == entry_id, WaitlistEntry.status == OFFERED, still_open)
            .values(status=outcome)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release_hold(
        self, session: AsyncSession, session_id: uuid.UUID, *, booked: bool
    ) -> None:
        """One held place handed back to the session, or (booked) turned into a booking."""
        await session.execute(
            update(ScheduledSession)
            .where(ScheduledSession.id == session_id, ScheduledSession.held > 0)
            .values(
                held=ScheduledSession.held - 1,
                booked=ScheduledSession.booked + (1 if booked else 0),
            )
            .execution_options(synchronize_session=False)
        )

    async def expired_offers(
        self, session: AsyncSession, now: datetime, limit: int
    ) -> list[WaitlistEntry]:
        rows = await session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.status == OFFERED, WaitlistEntry.offer_expires_at <= now)
            .order_by(WaitlistEntry.offer_expires_at)
            .limit(limit)
        )
        return list(rows)

    async def close_line(self, session: AsyncSession, session_id: uuid.UUID) -> None:
        await session.execute(
            update(WaitlistEntry)
            .where(WaitlistEntry.session_id == session_id, WaitlistEntry.status.in_(IN_LINE))
            .values(status=CLOSED)
            .execution_options(synchronize_session=False)
        )

    async def leave_line(
        self, session: AsyncSession, session_id: uuid.UUID, customer_id: uuid.UUID
    ) -> None:
        """A customer who got a place otherwise is out of line (never holding an offer: the
        caller booked no held place)."""
        await session.execute(
            update(WaitlistEntry)
            .where(
                WaitlistEntry.session_id == session_id,
                WaitlistEntry.customer_id == customer_id,
                WaitlistEntry.status == WAITING,
            )
            .values(status=LEFT)
            .execution_options(synchronize_session=False)
        )

    async def cancellation_history(
        self, session: AsyncSession, like: ScheduledSession, since: datetime, until: datetime
    ) -> tuple[int, list[tuple[uuid.UUID, datetime, datetime]]]:
        """Sessions of `like`'s coach and type that started in [since, until) and were not
        called off: how many, and each customer cancellation in them as (session id, start,
        canceled at)."""
        similar = (
            ScheduledSession.coach_id == like.coach_id,
            ScheduledSession.type == like.type,
            ScheduledSession.start_at >= since,
            ScheduledSession.start_at < until,
            ScheduledSession.status != SessionStatus.canceled.value,
        )
        total = await session.scalar(
            select(func.count()).select_from(ScheduledSession).where(*similar)
        )
        rows = await session.execute(
            select(ScheduledSession.id, ScheduledSession.start_at, SessionBooking.canceled_at)
            .join(SessionBooking, SessionBooking.session_id == ScheduledSession.id)
            .where(*similar, SessionBooking.canceled_at.is_not(None))
        )
        return int(total or 0), [
            (one, start, canceled) for one, start, canceled in rows if canceled is not None
        ]


session_repository = SessionRepository()
waitlist_repository = WaitlistRepository()
