"""Seating a customer in a session: no overlap with their other live bookings, one session of
their entitlement spent (unless the type is free or the place was paid for by an order), the
place itself counted by the caller.
PostgreSQL's exclusion constraint settles a race the check could not see; the answer names
the session that won."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import ScheduledSession, SessionBooking
from fitcoach.scheduling.entitlements.service import entitlement_service
from fitcoach.scheduling.exceptions import (
    AlreadyBooked,
    CoachBusy,
    NoEntitlement,
    NoEntitlementDropInForSale,
    ParticipantBusy,
)
from fitcoach.scheduling.sessions.repository import session_repository
from fitcoach.scheduling.sessions.rules import FREE_OF_ENTITLEMENT, BookingStatus, SessionType


async def flush_guarded(
    session: AsyncSession,
    stage: Callable[[], None],
    explain: Callable[[], Awaitable[Exception | None]],
) -> None:
    """Write what `stage` adds or changes in a savepoint of its own; a constraint violation
    (a concurrent writer won) becomes the error `explain` then finds."""
    await session.flush()
    try:
        async with session.begin_nested():
            stage()
    except IntegrityError as exc:
        error = await explain()
        if error is None:
            raise
        raise error from exc


async def participant_busy(
    session: AsyncSession, sess: ScheduledSession, customer_ids: list[uuid.UUID]
) -> ParticipantBusy | None:
    clash = await session_repository.participant_conflict(
        session, customer_ids, (sess.start_at, sess.end_at), other_than=sess.id
    )
    if clash is None:
        return None
    return ParticipantBusy(clash.customer_id, clash.session_id, clash.start_at)


async def coach_busy(
    session: AsyncSession, sess: ScheduledSession, buffer_minutes: int
) -> CoachBusy | None:
    clash = await session_repository.coach_conflict(
        session, sess.coach_id, (sess.start_at, sess.coach_busy_until), other_than=sess.id
    )
    if clash is None:
        return None
    return CoachBusy(clash.id, clash.start_at, clash.end_at, buffer_minutes)


def _money(amount_minor: int, currency: str) -> str:
    return f"{amount_minor / 100:.2f} {currency}"


async def seat(
    session: AsyncSession,
    sess: ScheduledSession,
    customer_id: uuid.UUID,
    actor_id: uuid.UUID,
    order_id: uuid.UUID | None = None,
) -> SessionBooking:
    """Book `customer_id` into `sess` (a new row, or their canceled one again), on their
    entitlement or, with `order_id`, on the order that paid for the place."""
    busy = await participant_busy(session, sess, [customer_id])
    if busy is not None:
        raise busy
    known = await session_repository.booking_of(session, sess.id, customer_id)
    if known is not None and known.status == BookingStatus.booked.value:
        raise AlreadyBooked()
    booking = known or SessionBooking(id=uuid.uuid4(), session_id=sess.id, customer_id=customer_id)

    def stage() -> None:
        if known is None:
            session_repository.add(session, booking)
        booking.status = BookingStatus.booked.value
        booking.start_at, booking.end_at = sess.start_at, sess.end_at
        booking.booked_by_id = actor_id

    async def explain() -> Exception | None:
        again = await session_repository.booking_of(session, sess.id, customer_id)
        if again is not None and again.status == BookingStatus.booked.value:
            return AlreadyBooked()
        return await participant_busy(session, sess, [customer_id])

    await flush_guarded(session, stage, explain)
    booking.grant_id = None
    booking.order_id = order_id
    if order_id is None and SessionType(sess.type) not in FREE_OF_ENTITLEMENT:
        try:
            booking.grant_id = await entitlement_service.use(
                session, customer_id, booking.id, sess.start_at, actor_id
            )
        except NoEntitlement as exc:
            if customer_id != actor_id:
                raise NoEntitlement(
                    f"Customer {customer_id} has no session left in their membership for that "
                    "date: an admin can grant sessions"
                ) from exc
            if sess.drop_in_price_minor is not None and sess.drop_in_currency is not None:
                price = _money(sess.drop_in_price_minor, sess.drop_in_currency)
                raise NoEntitlementDropInForSale(sess.id, price) from exc
            raise
    return booking
