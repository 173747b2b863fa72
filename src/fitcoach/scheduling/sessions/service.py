"""Putting sessions on calendars and customers into sessions. Coaches schedule on their own
calendar, admins on any; no coach is in two sessions at once (keeping the buffer between
them), no customer in two; a session never seats more than its capacity; every booking but a
consultation spends one session of the customer's entitlement."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.customers.service import customers_service
from fitcoach.models import ScheduledSession, SessionBooking
from fitcoach.models.enums import Role
from fitcoach.models.user import Actor
from fitcoach.scheduling.events import SUBJECT, SessionBooked, SessionScheduled
from fitcoach.scheduling.exceptions import (
    NotACoach,
    NotYourCalendar,
    ParticipantNotFound,
    SessionFull,
    SessionNotBookable,
    SessionNotFound,
)
from fitcoach.scheduling.sessions.policy import SchedulingPolicy
from fitcoach.scheduling.sessions.repository import (
    BookingFacts,
    SessionFacts,
    session_repository,
    waitlist_repository,
)
from fitcoach.scheduling.sessions.rules import (
    BookingStatus,
    SessionStatus,
    SessionType,
    check_capacity,
    check_span,
    instant,
    occurrences,
    zone_named,
)
from fitcoach.scheduling.sessions.seats import coach_busy, flush_guarded, participant_busy, seat
from fitcoach.users.exceptions import UserNotFound
from fitcoach.users.service import user_service
from fitcoach.worker.events import record_event

ONLINE = "online"


@dataclass(frozen=True)
class SessionDraft:
    type: SessionType
    start: datetime
    end: datetime
    timezone: str
    coach_id: uuid.UUID
    location: str
    join_link: str | None
    capacity: int
    participants: list[uuid.UUID]
    recurrence: str | None = None
    # One place's price and currency for customers without an entitlement (a drop-in).
    drop_in: tuple[int, str] | None = None


@dataclass(frozen=True)
class SessionView:
    """A session as one actor sees it: the bookings they may see, the join link if theirs."""

    session: ScheduledSession | SessionFacts
    bookings: Sequence[SessionBooking | BookingFacts]
    join_link: str | None


def view_for(
    sess: ScheduledSession | SessionFacts,
    bookings: Sequence[SessionBooking | BookingFacts],
    actor: Actor,
    policy: SchedulingPolicy,
    now: datetime,
) -> SessionView:
    """Coaches see their session's bookings and link; an admin every booking but no link (they
    are no participant); a customer only their own booking, and the link from
    `join_link_visible` before the start while they hold a place."""
    if sess.coach_id == actor.id:
        return SessionView(sess, bookings, sess.join_link)
    if actor.has_role(Role.ADMIN):
        return SessionView(sess, bookings, None)
    own = [booking for booking in bookings if booking.customer_id == actor.id]
    holds_place = any(booking.status == BookingStatus.booked.value for booking in own)
    link_time = now >= sess.start_at - policy.join_link_visible
    return SessionView(sess, own, sess.join_link if holds_place and link_time else None)


# The booking states of a customer who holds, or held, a place in a session that took place.
_SEATED = frozenset(
    {BookingStatus.booked.value, BookingStatus.attended.value, BookingStatus.no_show.value}
)


@dataclass(frozen=True)
class SessionRoster:
    """Who a session brings together as it stands now: its coach and the customers seated in
    it (a place given back is no seat); `canceled` once called off."""

    coach_id: uuid.UUID
    customer_ids: frozenset[uuid.UUID]
    canceled: bool


@dataclass(frozen=True)
class _Scheduling:
    """Who schedules, by which policy, when."""

    actor: Actor
    policy: SchedulingPolicy
    now: datetime


class SessionService:
    async def create(
        self,
        session: AsyncSession,
        actor: Actor,
        draft: SessionDraft,
        policy: SchedulingPolicy,
        now: datetime,
    ) -> SessionView:
        """A coach on their calendar, or an admin on any: one session, or each occurrence of a
        recurring one (the first is answered)."""
        await self._check_coach(session, actor, draft.coach_id)
        await self._check_participants(session, actor, draft)
        return await self.schedule(session, actor, draft, policy, now)

    async def schedule(
        self,
        session: AsyncSession,
        actor: Actor,
        draft: SessionDraft,
        policy: SchedulingPolicy,
        now: datetime,
    ) -> SessionView:
        """Put the draft on the calendar for a caller already found entitled to: times,
        capacity, conflicts and entitlements are checked here."""
        zone = zone_named(draft.timezone)
        start = instant("startTime", draft.start, zone)
        end = instant("endTime", draft.end, zone)
        check_span(start, end, now)
        check_capacity(draft.type, draft.capacity, len(draft.participants))
        starts = occurrences(draft.recurrence, start, zone) if draft.recurrence else [start]
        series_id = uuid.uuid4() if draft.recurrence else None
        context = _Scheduling(actor, policy, now)
        views = [
            await self._schedule_one(session, context, draft, (one, one + (end - start), series_id))
            for one in starts
        ]
        return views[0]

    async def _schedule_one(
        self,
        session: AsyncSession,
        context: _Scheduling,
        draft: SessionDraft,
        slot: tuple[datetime, datetime, uuid.UUID | None],
    ) -> SessionView:
        start, end, series_id = slot
        actor, policy, now = context.actor, context.policy, context.now
        sess = ScheduledSession(
            id=uuid.uuid4(),
            type=draft.type.value,
            status=SessionStatus.scheduled.value,
            coach_id=draft.coach_id,
            start_at=start,
            end_at=end,
            coach_busy_until=end + policy.buffer,
            timezone=zone_named(draft.timezone).key,
            location=draft.location,
            capacity=draft.capacity,
            booked=len(draft.participants),
            held=0,
            sequence=0,
            series_id=series_id,
            created_by_id=actor.id,
        )
        sess.drop_in_price_minor, sess.drop_in_currency = draft.drop_in or (None, None)
        sess.join_link = draft.join_link
        if sess.join_link is None and draft.location.lower() == ONLINE:
            sess.join_link = await policy.video_links.room_for(sess.id)
        busy: Exception | None = await coach_busy(session, sess, policy.buffer_minutes)
        if busy is None and draft.participants:
            busy = await participant_busy(session, sess, draft.participants)
        if busy is not None:
            raise busy

        async def explain() -> Exception | None:
            return await coach_busy(session, sess, policy.buffer_minutes)

        await flush_guarded(session, lambda: session_repository.add(session, sess), explain)
        bookings = [await seat(session, sess, one, actor.id) for one in draft.participants]
        audit_service.record(
            session,
            AuditEvent(
                action="scheduling.session.created",
                resource_type=SUBJECT,
                resource_id=sess.id,
                details={"type": sess.type, "coachId": str(sess.coach_id)},
            ),
            now,
        )
        record_event(
            session,
            SessionScheduled(
                occurred_at=now,
                actor_id=actor.id,
                subject_type=SUBJECT,
                subject_id=str(sess.id),
                coach_id=sess.coach_id,
                participant_ids=draft.participants,
                start_at=start,
                timezone=sess.timezone,
            ),
        )
        return view_for(sess, bookings, actor, policy, now)

    async def book(
        self,
        session: AsyncSession,
        customer: Actor,
        session_id: uuid.UUID,
        policy: SchedulingPolicy,
        now: datetime,
    ) -> SessionView:
        """The customer takes a place in a group session of their coach or in a class."""
        sess = await self.bookable(session, customer, session_id)
        if sess.status != SessionStatus.scheduled.value or sess.start_at <= now:
            raise SessionNotBookable()
        if sess.booked + sess.held >= sess.capacity:
            # Read without a lock: answers most of a rush for the last places at once. The
            # conditional update below is what keeps the count exact.
            raise SessionFull(sess.id)
        booking = await seat(session, sess, customer.id, customer.id)
        if not await session_repository.take_place(session, sess.id):
            raise SessionFull(sess.id)
        await session.refresh(sess, ["booked", "held"])
        # A place came free without an offer (the line was empty then): they are in no line now.
        await waitlist_repository.leave_line(session, sess.id, customer.id)
        audit_service.record(
            session,
            AuditEvent(
                action="scheduling.session.booked",
                resource_type=SUBJECT,
                resource_id=sess.id,
                details={"bookingId": str(booking.id)},
            ),
            now,
        )
        record_event(session, SessionBooked.of(sess, customer.id, now))
        return view_for(sess, [booking], customer, policy, now)

    async def get(
        self,
        session: AsyncSession,
        actor: Actor,
        session_id: uuid.UUID,
        policy: SchedulingPolicy,
        now: datetime,
    ) -> SessionView:
        sess = await session_repository.readable(session, session_id, actor)
        if sess is None:
            raise SessionNotFound()
        bookings = await session_repository.bookings_of_sessions(session, [sess.id])
        return view_for(sess, bookings[sess.id], actor, policy, now)

    async def roster(self, session: AsyncSession, session_id: uuid.UUID) -> SessionRoster | None:
        """The session's people, for the domains that follow it (messaging's session thread);
        None if there is no such session. Read from the rows, not an event, so a late or
        redelivered event meets the current state."""
        sess = await session_repository.get(session, session_id)
        if sess is None:
            return None
        bookings = (await session_repository.bookings_of_sessions(session, [sess.id]))[sess.id]
        return SessionRoster(
            coach_id=sess.coach_id,
            customer_ids=frozenset(one.customer_id for one in bookings if one.status in _SEATED),
            canceled=sess.status == SessionStatus.canceled.value,
        )

    async def bookable(
        self, session: AsyncSession, customer: Actor, session_id: uuid.UUID
    ) -> ScheduledSession:
        """A class is open to every customer, a group session to the coach's customers; any
        other session is not theirs to see unless they are booked into it."""
        sess = await session_repository.get(session, session_id)
        if sess is None:
            raise SessionNotFound()
        kind = SessionType(sess.type)
        if kind is SessionType.class_:
            return sess
        if kind is SessionType.group and await customers_service.is_assigned(
            session, sess.coach_id, customer.id
        ):
            return sess
        if await session_repository.booking_of(session, sess.id, customer.id) is not None:
            raise SessionNotBookable()
        raise SessionNotFound()

    async def _check_coach(self, session: AsyncSession, actor: Actor, coach_id: uuid.UUID) -> None:
        if not actor.has_role(Role.ADMIN):
            if coach_id != actor.id:
                raise NotYourCalendar()
            return
        try:
            coach = await user_service.get(session, coach_id)
        except UserNotFound as exc:
            raise NotACoach() from exc
        if not coach.has_role(Role.COACH):
            raise NotACoach()

    async def _check_participants(
        self, session: AsyncSession, actor: Actor, draft: SessionDraft
    ) -> None:
        """Each participant is a customer, and one of the coach's when a coach schedules."""
        as_admin = actor.has_role(Role.ADMIN)
        for index, customer_id in enumerate(draft.participants):
            try:
                customer = await user_service.get(session, customer_id)
            except UserNotFound as exc:
                raise ParticipantNotFound(index) from exc
            if not customer.has_role(Role.CUSTOMER):
                raise ParticipantNotFound(index)
            if not as_admin and not await customers_service.is_assigned(
                session, draft.coach_id, customer_id
            ):
                raise ParticipantNotFound(index)


session_service = SessionService()
