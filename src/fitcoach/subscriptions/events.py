"""The events the subscriptions domain publishes, recorded in the transaction of the change
they describe; `subscriptions.handlers` tells the customer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from fitcoach.worker.events import DomainEvent

SUBJECT_TYPE = "subscription"


class SubscriptionGranted(DomainEvent):
    """An admin gave a user a paid subscription of `days` days."""

    type: ClassVar[str] = "subscriptions.granted"

    user_id: uuid.UUID
    days: int
    ends_at: datetime


class FreeDaysChanged(DomainEvent):
    """An admin changed the length of a user's free subscription (or gave them one)."""

    type: ClassVar[str] = "subscriptions.free_days_changed"

    user_id: uuid.UUID
    free_days: int
    previous_free_days: int | None
    ends_at: datetime
