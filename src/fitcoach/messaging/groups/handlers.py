"""What keeps group threads in step: scheduling's events move a session's thread, commerce's
a program's. Each handler syncs from the current state (see service.py), so a redelivered or
out-of-order event adds no one twice and undoes nothing newer."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.commerce.billing.events import (
    SubscriptionChanged,
    SubscriptionEnded,
    SubscriptionRenewed,
)
from fitcoach.commerce.events import OrderPaid
from fitcoach.messaging.groups.service import group_threads_service
from fitcoach.scheduling.events import (
    BookingCanceled,
    SessionBooked,
    SessionCanceled,
    SessionScheduled,
)
from fitcoach.worker.registry import on_event

SessionEvent = SessionScheduled | SessionBooked | BookingCanceled | SessionCanceled
ProgramEvent = OrderPaid | SubscriptionRenewed | SubscriptionChanged | SubscriptionEnded


# A session scheduled with its participants already seated has its thread at once.
@on_event(SessionScheduled, name="messaging.session_thread_on_scheduled")
@on_event(SessionBooked, name="messaging.session_thread_on_booked")
@on_event(BookingCanceled, name="messaging.session_thread_on_booking_canceled")
@on_event(SessionCanceled, name="messaging.session_thread_on_canceled")
async def follow_session(session: AsyncSession, event: SessionEvent) -> None:
    await group_threads_service.follow_session(
        session, uuid.UUID(event.subject_id), event.occurred_at
    )


# An upgrade or a downgrade (SubscriptionChanged) can move the customer to another program.
@on_event(OrderPaid, name="messaging.program_thread_on_order_paid")
@on_event(SubscriptionRenewed, name="messaging.program_thread_on_renewed")
@on_event(SubscriptionChanged, name="messaging.program_thread_on_changed")
@on_event(SubscriptionEnded, name="messaging.program_thread_on_ended")
async def follow_programs(session: AsyncSession, event: ProgramEvent) -> None:
    await group_threads_service.follow_programs_of(session, event.user_id, event.occurred_at)
