"""The events training publishes, each recorded in the transaction of the change it describes;
`training.handlers` tells the people concerned."""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar

from fitcoach.worker.events import DomainEvent


class PlanItemCompleted(DomainEvent):
    """A customer's log of a plan item or habit changed (completed, skipped or undone: status
    `pending`). The subject is the item or habit; its type the kind logged (strength, cardio,
    meal, habit)."""

    type: ClassVar[str] = "training.plan_item_completed"

    customer_id: uuid.UUID
    plan_id: uuid.UUID | None  # None: a habit of the customer's own
    local_date: date
    status: str


class BadgeAwarded(DomainEvent):
    type: ClassVar[str] = "training.badge_awarded"

    customer_id: uuid.UUID
    badge: str
    name: str


class SubstitutionApplied(DomainEvent):
    """A customer does `exercise` instead of their plan item's `original` (the subject is the
    substitution)."""

    type: ClassVar[str] = "training.substitution_applied"

    customer_id: uuid.UUID
    plan_id: uuid.UUID
    item_id: uuid.UUID
    original: str
    exercise: str
    reason: str


class SubstitutionReverted(DomainEvent):
    """The plan's exercise is back, put back by the actor (the customer, a coach or an admin)."""

    type: ClassVar[str] = "training.substitution_reverted"

    customer_id: uuid.UUID
    plan_id: uuid.UUID
    item_id: uuid.UUID
