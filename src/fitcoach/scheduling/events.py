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
