"""The events scheduling publishes; handlers.py tells the participants."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

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


class SessionRescheduled(DomainEvent):
    type: ClassVar[str] = "scheduling.session_rescheduled"

    participant_ids: list[uuid.UUID]
    previous_start_at: datetime
    start_at: datetime
    timezone: str


class SessionCanceled(DomainEvent):
    """The coach or an admin called the session off; every participant's entitlement was
    returned (commerce refunds paid one-off bookings from this event)."""

    type: ClassVar[str] = "scheduling.session_canceled"

    participant_ids: list[uuid.UUID]
    start_at: datetime
    timezone: str
    reason: str | None


class BookingCanceled(DomainEvent):
    """A customer gave up their place; `late` inside the late-cancel window (the session of
    their entitlement is spent)."""

    type: ClassVar[str] = "scheduling.booking_canceled"

    customer_id: uuid.UUID
    coach_id: uuid.UUID
    start_at: datetime
    timezone: str
    late: bool


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
