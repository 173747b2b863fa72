"""Single places sold on their own (drop-ins): commerce sells them through `DropInDesk` (its
`DropInSeller`, wired here), and a place given back refunds its order through commerce: every
paid place of a session the coach or an admin calls off, and a customer's own cancellation in
time (a late one spends the place, as it spends an entitlement). Refunds are keyed by what is
left of the order, so a redelivered event refunds nothing twice."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.commerce.orders.drop_ins import (
    DropInOffer,
    DropInPlace,
    sell_drop_ins_with,
)
from fitcoach.commerce.refunds.service import refund_service
from fitcoach.models import Actor, ScheduledSession
from fitcoach.scheduling.events import SUBJECT, BookingCanceled, SessionBooked, SessionCanceled
from fitcoach.scheduling.exceptions import (
    DropInNotForSale,
    DropInUnavailable,
    SessionNotBookable,
    SessionNotFound,
)
from fitcoach.scheduling.sessions.repository import session_repository, waitlist_repository
from fitcoach.scheduling.sessions.rules import BookingStatus, SessionStatus, local_iso, zone_named
from fitcoach.scheduling.sessions.seats import participant_busy, seat
from fitcoach.scheduling.sessions.service import session_service
from fitcoach.worker.events import record_event
from fitcoach.worker.registry import on_event

_NOTHING_CHARGED = "nothing was charged"


def _line(sess: ScheduledSession) -> str:
    """The invoice line: the session's type and its local date and time."""
    when = local_iso(sess.start_at, zone_named(sess.timezone))[:16].replace("T", " ")
    return f"{sess.type.capitalize()} session on {when} ({sess.timezone})"


class DropInDesk:
    async def offer(
        self, session: AsyncSession, customer: Actor, session_id: uuid.UUID, now: datetime
    ) -> DropInOffer:
        sess = await session_service.bookable(session, customer, session_id)
        if sess.drop_in_price_minor is None or sess.drop_in_currency is None:
            raise DropInNotForSale()
        if sess.status != SessionStatus.scheduled.value or sess.start_at <= now:
            raise SessionNotBookable()
        return DropInOffer(
            session_id=sess.id,
            description=_line(sess),
            price_minor=sess.drop_in_price_minor,
            currency=sess.drop_in_currency,
        )

    async def admit(self, session: AsyncSession, place: DropInPlace, now: datetime) -> None:
        await self._admitted(session, place, now)

    async def seat(self, session: AsyncSession, place: DropInPlace, now: datetime) -> None:
        # Checked again: the provider's webhook completes an order that confirm never did.
        sess = await self._admitted(session, place, now)
        booking = await seat(session, sess, place.customer_id, place.customer_id, place.order_id)
        if not await session_repository.take_place(session, sess.id):
            raise DropInUnavailable(f"The session is full: {_NOTHING_CHARGED}")
        await waitlist_repository.leave_line(session, sess.id, place.customer_id)
        audit_service.record(
            session,
            AuditEvent(
                action="scheduling.session.booked",
                resource_type=SUBJECT,
                resource_id=sess.id,
                details={"bookingId": str(booking.id), "orderId": str(place.order_id)},
            ),
            now,
        )
        record_event(session, SessionBooked.of(sess, place.customer_id, now))

    async def _admitted(
        self, session: AsyncSession, place: DropInPlace, now: datetime
    ) -> ScheduledSession:
        """The session, held until commit (concurrent buyers of its last place go in turn),
        if the customer can take a place in it now."""
        sess = await waitlist_repository.lock_session(session, place.session_id)
        if sess is None:
            raise SessionNotFound()
        if sess.status != SessionStatus.scheduled.value:
            raise DropInUnavailable(f"The session is {sess.status}: {_NOTHING_CHARGED}")
        if sess.start_at <= now:
            raise DropInUnavailable(f"The session has started: {_NOTHING_CHARGED}")
        known = await session_repository.booking_of(session, sess.id, place.customer_id)
        if known is not None and known.status == BookingStatus.booked.value:
            raise DropInUnavailable(f"You already have a place in this session: {_NOTHING_CHARGED}")
        if sess.booked + sess.held >= sess.capacity:
            raise DropInUnavailable(
                f"The session is full: {_NOTHING_CHARGED}. Join its waitlist with "
                f"POST /api/v1/sessions/{sess.id}/waitlist to be offered the next free place"
            )
        busy = await participant_busy(session, sess, [place.customer_id])
        if busy is not None:
            raise DropInUnavailable(f"{busy.message}: {_NOTHING_CHARGED}")
        return sess


sell_drop_ins_with(DropInDesk())


@on_event(SessionCanceled, name="scheduling.refund_drop_ins_of_canceled_session")
async def refund_drop_ins_of_canceled_session(
    session: AsyncSession, event: SessionCanceled
) -> None:
    """A canceled session is never booked again, so its paid places are read as they stand."""
    session_id = uuid.UUID(event.subject_id)
    bookings = (await session_repository.bookings_of_sessions(session, [session_id]))[session_id]
    for booking in bookings:
        if booking.order_id is not None and booking.status == BookingStatus.canceled.value:
            await refund_service.refund_in_full(
                session, booking.order_id, "Session canceled", event.occurred_at
            )


@on_event(BookingCanceled, name="scheduling.refund_drop_in_canceled_in_time")
async def refund_drop_in_canceled_in_time(session: AsyncSession, event: BookingCanceled) -> None:
    if event.late or event.order_id is None:
        return
    await refund_service.refund_in_full(
        session, event.order_id, "Place canceled in time", event.occurred_at
    )
