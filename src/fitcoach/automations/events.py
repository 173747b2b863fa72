"""The events automations publish."""

from __future__ import annotations

import uuid
from typing import ClassVar

from fitcoach.worker.events import DomainEvent


class CustomerTagged(DomainEvent):
    """An automation put a new tag on a customer."""

    type: ClassVar[str] = "automations.customer_tagged"

    customer_id: uuid.UUID
    tag: str
    automation_id: uuid.UUID
