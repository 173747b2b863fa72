"""The events support publishes: a deadline of a ticket reached 80 % of its budget, or passed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from fitcoach.worker.events import DomainEvent


class SupportSlaWarning(DomainEvent):
    """80 % of a ticket's working-time budget for `deadline` (first_response or resolution)
    has gone; `due_at` is when the rest runs out."""

    type: ClassVar[str] = "support.sla_warning"

    ticket_id: uuid.UUID
    deadline: str
    priority: str
    agent_id: uuid.UUID | None
    due_at: datetime


class SupportSlaBreached(DomainEvent):
    """A ticket's `deadline` (first_response or resolution) passed unmet."""

    type: ClassVar[str] = "support.sla_breached"

    ticket_id: uuid.UUID
    deadline: str
    priority: str
    agent_id: uuid.UUID | None
    due_at: datetime
