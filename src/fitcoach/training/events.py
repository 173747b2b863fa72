"""The events training publishes. Shaped as the outbox's DomainEvent (id, occurred_at, actor_id,
subject_type, subject_id; ClassVar type and version) so they become DomainEvent subclasses with a
one-line change once fitcoach.worker lands; until then the completion calls the streaks service
in its own transaction, which is what the PlanItemCompleted handler will do."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field


class _TrainingEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: datetime
    actor_id: uuid.UUID | None
    subject_type: str
    subject_id: uuid.UUID


class PlanItemCompleted(_TrainingEvent):
    """A customer's log of a plan item or habit changed (completed, skipped or undone)."""

    type: ClassVar[str] = "training.plan_item_completed"
    version: ClassVar[int] = 1

    customer_id: uuid.UUID
    plan_id: uuid.UUID | None  # None: a habit of the customer's own
    local_date: date
    status: str


class BadgeAwarded(_TrainingEvent):
    type: ClassVar[str] = "training.badge_awarded"
    version: ClassVar[int] = 1

    customer_id: uuid.UUID
    badge: str
