"""The events messaging publishes."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from fitcoach.worker.events import DomainEvent


class MessageSent(DomainEvent):
    """A message reached a thread; its recipients are told live, or by push when away.
    `message` is the message as the API shows it."""

    type: ClassVar[str] = "messaging.message_sent"
    # Between the thread's participants: a partner learns that a message was sent, not what.
    private_fields: ClassVar[frozenset[str]] = frozenset({"sender_name", "preview", "message"})

    thread_id: uuid.UUID
    sender_name: str
    recipient_ids: list[uuid.UUID]
    preview: str
    message: dict[str, Any]
