"""Changing a session (PATCH /sessions/{id}): its coach or an admin reschedules it (conflicts
checked again), cancels it (every entitlement returned, every paid place refunded by the
drop-ins handler) or completes it with each participant's attendance; a booked customer
cancels their own place, spending the entitlement (or the paid place) inside the late-cancel
window. Each change is audited and published as an event, whose
handlers tell the people concerned."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.models import ScheduledSession, SessionBooking
from fitcoach.models.enums import Role
from fitcoach.models.user import Actor
from fitcoach.scheduling.entitlements.service import entitlement_service
from fitcoach.scheduling.events import (
    SUBJECT,
    BookingCanceled,
    SessionCanceled,
    SessionCompleted,
    SessionRescheduled,
)
from fitcoach.scheduling.exceptions import (
    CustomersOnlyCancel,
    NotAParticipant,
    NotBooked,
    NotStartedYet,
    SessionClosed,
    SessionNotFound,
    SessionStarted,
)
from fitcoach.scheduling.sessions.offers import promote
from fitcoach.scheduling.sessions.policy import SchedulingPolicy
from fitcoach.scheduling.sessions.repository import session_repository, waitlist_repository
from fitcoach.scheduling.sessions.rules import (
    BookingStatus,
    SessionStatus,
    check_span,
    instant,
    zone_named,
)
from fitcoach.scheduling.sessions.seats import coach_busy, flush_guarded, participant_busy
from fitcoach.scheduling.sessions.service import SessionView, view_for
from fitcoach.worker.events import record_event

# What a coach may mark a participant as when completing a session.
MARKS = frozenset({BookingStatus.attended, BookingStatus.no_show, BookingStatus.late_canceled})


@dataclass(frozen=True)
class SessionChange:
    session_id: uuid.UUID
    status: SessionStatus | None
    new_time: datetime | None
    cancellation_reason: str | None
    attendance: list[tuple[uuid.UUID, BookingStatus]]


def _live(bookings: list[SessionBooking]) -> list[SessionBooking]:
    return [one for one in bookings if one.status == BookingStatus.booked.value]


class SessionChanges:
    async def change(
        self,
        session: AsyncSession,
        actor: Actor,
        change: SessionChange,
        policy: SchedulingPolicy,
        now: datetime,
    ) -> SessionView:
        sess = await session_repository.readable(session, change.session_id, actor)
        if sess is None:
            raise SessionNotFound()
        bookings = (await session_repository.bookings_of_sessions(session, [sess.id]))[sess.id]
        if sess.coach_id != actor.id and not actor.has_role(Role.ADMIN):
            if change.status is not SessionStatus.canceled:
                raise CustomersOnlyCancel()
            await self._cancel_place(session, actor, sess, policy, now)
        elif change.status is SessionStatus.completed:
            await self._complete(session, sess, bookings, change, now)
        else:
            if sess.status != SessionStatus.scheduled.value:
                raise SessionClosed()
            if sess.start_at <= now:
                raise SessionStarted()
            if change.status is SessionStatus.canceled:
                self._cancel(session, sess, bookings, change.cancellation_reason, now)
                await waitlist_repository.close_line(session, sess.id)
            else:
                assert change.new_time is not None  # the schema asks for it
                await self._reschedule(session, sess, bookings, change.new_time, policy, now)
        await session.flush()
        await session.refresh(sess, ["booked", "held"])
        bookings = (await session_repository.bookings_of_sessions(session, [sess.id]))[sess.id]
        return view_for(sess, bookings, actor, policy, now)

    async def _reschedule(
        self,
        session: AsyncSession,
        sess: ScheduledSession,
        bookings: list[SessionBooking],
        new_time: datetime,
        policy: SchedulingPolicy,
        now: datetime,
    ) -> None:
        previous = sess.start_at
        start = instant("newTime", new_time, zone_named(sess.timezone))
        end = start + (sess.end_at - sess.start_at)
        check_span(start, end, now)
        live = _live(bookings)

        def stage() -> None:
            sess.start_at, sess.end_at = start, end
            sess.coach_busy_until = end + policy.buffer
            sess.sequence += 1
            for booking in live:
                booking.start_at, booking.end_at = start, end

        # The session at its new time, never added to the session: what the checks look at,
        # before the change and (after a lost race) once the savepoint is rolled back.
        moved = ScheduledSession(
            id=sess.id,
            coach_id=sess.coach_id,
            start_at=start,
            end_at=end,
            coach_busy_until=end + policy.buffer,
        )

        async def explain() -> Exception | None:
            busy = await coach_busy(session, moved, policy.buffer_minutes)
            return busy or await participant_busy(session, moved, [one.customer_id for one in live])

        busy = await explain()
        if busy is not None:
            raise busy
        await flush_guarded(session, stage, explain)
        self._record(session, sess, "rescheduled", {"previousStart": previous.isoformat()}, now)
        record_event(
            session,
            SessionRescheduled(
                occurred_at=now,
                actor_id=None,
                subject_type=SUBJECT,
                subject_id=str(sess.id),
                participant_ids=[one.customer_id for one in live],
                previous_start_at=previous,
                start_at=start,
                timezone=sess.timezone,
            ),
        )

    def _cancel(
        self,
        session: AsyncSession,
        sess: ScheduledSession,
        bookings: list[SessionBooking],
        reason: str | None,
        now: datetime,
    ) -> None:
        live = _live(bookings)
        for booking in live:
            booking.status = BookingStatus.canceled.value
            if booking.grant_id is not None:
                entitlement_service.give_back(
                    session, booking.grant_id, booking.customer_id, booking.id, "Session canceled"
                )
        sess.status = SessionStatus.canceled.value
        sess.booked = 0
        sess.held = 0
        sess.cancellation_reason = reason
        sess.sequence += 1
        self._record(session, sess, "canceled", {"reason": reason}, now)
        record_event(
            session,
            SessionCanceled(
                occurred_at=now,
                actor_id=None,
                subject_type=SUBJECT,
                subject_id=str(sess.id),
                participant_ids=[one.customer_id for one in live],
                start_at=sess.start_at,
                timezone=sess.timezone,
                reason=reason,
            ),
        )

    async def _cancel_place(
        self,
        session: AsyncSession,
        customer: Actor,
        sess: ScheduledSession,
        policy: SchedulingPolicy,
        now: datetime,
    ) -> None:
        booking = await session_repository.booking_of(session, sess.id, customer.id)
        if booking is None or booking.status != BookingStatus.booked.value:
            raise NotBooked()
        if sess.start_at <= now:
            raise SessionStarted()
        late = now >= sess.start_at - policy.late_cancel
        booking.status = (BookingStatus.late_canceled if late else BookingStatus.canceled).value
        booking.canceled_at = now
        if not late and booking.grant_id is not None:
            entitlement_service.give_back(
                session, booking.grant_id, customer.id, booking.id, "Canceled in time"
            )
        await session_repository.release_place(session, sess.id)
        # The freed place goes to the waitlist first (held for its claim window).
        await promote(session, sess.id, now)
        self._record(session, sess, "booking_canceled", {"late": late}, now)
        record_event(
            session,
            BookingCanceled(
                occurred_at=now,
                actor_id=customer.id,
                subject_type=SUBJECT,
                subject_id=str(sess.id),
                customer_id=customer.id,
                coach_id=sess.coach_id,
                start_at=sess.start_at,
                timezone=sess.timezone,
                late=late,
                order_id=booking.order_id,
            ),
        )

    async def _complete(
        self,
        session: AsyncSession,
        sess: ScheduledSession,
        bookings: list[SessionBooking],
        change: SessionChange,
        now: datetime,
    ) -> None:
        """Completed once started; those not marked otherwise attended. Marks can be
        corrected afterwards by completing again."""
        if sess.status == SessionStatus.canceled.value:
            raise SessionClosed()
        if sess.start_at > now:
            raise NotStartedYet()
        by_customer = {
            one.customer_id: one for one in bookings if one.status != BookingStatus.canceled.value
        }
        for index, (customer_id, _mark) in enumerate(change.attendance):
            if customer_id not in by_customer:
                raise NotAParticipant(index)
        marks = dict(change.attendance)
        for customer_id, booking in by_customer.items():
            mark = marks.get(customer_id)
            if mark is not None:
                booking.status = mark.value
            elif booking.status == BookingStatus.booked.value:
                booking.status = BookingStatus.attended.value
        sess.status = SessionStatus.completed.value
        attendance = {str(key): one.status for key, one in by_customer.items()}
        self._record(session, sess, "completed", {"attendance": attendance}, now)
        record_event(
            session,
            SessionCompleted(
                occurred_at=now,
                actor_id=None,
                subject_type=SUBJECT,
                subject_id=str(sess.id),
                attendance=attendance,
            ),
        )

    def _record(
        self,
        session: AsyncSession,
        sess: ScheduledSession,
        what: str,
        details: dict[str, object],
        now: datetime,
    ) -> None:
        audit_service.record(
            session,
            AuditEvent(
                action=f"scheduling.session.{what}",
                resource_type=SUBJECT,
                resource_id=sess.id,
                details=details,
            ),
            now,
        )


session_changes = SessionChanges()
