"""The events scheduling publishes; handlers.py tells the participants."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from fitcoach.models import ScheduledSession
from fitcoach.worker.events import DomainEvent

SUBJECT = "session"


class SessionScheduled(DomainEvent):
    type: ClassVar[str] = "scheduling.session_scheduled"

    coach_id: uuid.UUID
    participant_ids: list[uuid.UUID]
    start_at: datetime
    timezone: str


class SessionBooked(DomainEvent):
    type: ClassVar[str] = "scheduling.session_booked"

    customer_id: uuid.UUID
    coach_id: uuid.UUID
    start_at: datetime
    timezone: str

    @classmethod
    def of(cls, booked: ScheduledSession, customer_id: uuid.UUID, now: datetime) -> SessionBooked:
        """The customer took a place in `booked` themselves (a booking or a waitlist claim)."""
        return cls(
            occurred_at=now,
            actor_id=customer_id,
            subject_type=SUBJECT,
            subject_id=str(booked.id),
            customer_id=customer_id,
            coach_id=booked.coach_id,
            start_at=booked.start_at,
            timezone=booked.timezone,
        )


class SessionRescheduled(DomainEvent):
    type: ClassVar[str] = "scheduling.session_rescheduled"

    participant_ids: list[uuid.UUID]
    previous_start_at: datetime
    start_at: datetime
    timezone: str


class SessionCanceled(DomainEvent):
    """The coach or an admin called the session off; every participant's entitlement was
    returned (scheduling's drop-ins handler refunds the paid places through commerce)."""

    type: ClassVar[str] = "scheduling.session_canceled"

    participant_ids: list[uuid.UUID]
    start_at: datetime
    timezone: str
    reason: str | None


class BookingCanceled(DomainEvent):
    """A customer gave up their place; `late` inside the late-cancel window (the session of
    their entitlement, or the paid place, is spent). `order_id`: the order that paid for the
    place (a drop-in), refunded unless late."""

    type: ClassVar[str] = "scheduling.booking_canceled"

    customer_id: uuid.UUID
    coach_id: uuid.UUID
    start_at: datetime
    timezone: str
    late: bool
    # Added without a new version: events recorded before it read as no order.
    order_id: uuid.UUID | None = None


class SessionCompleted(DomainEvent):
    type: ClassVar[str] = "scheduling.session_completed"

    attendance: dict[str, str]


class WaitlistOffered(DomainEvent):
    """A freed place is held for the customer first in line until `expires_at`."""

    type: ClassVar[str] = "scheduling.waitlist_offered"

    customer_id: uuid.UUID
    start_at: datetime
    timezone: str
    expires_at: datetime
