"""Typed, versioned domain events and `record_event`, which adds one to the outbox inside the
caller's transaction: a rolled-back change leaves no event, a committed one always has its
event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import OutboxEvent
from fitcoach.worker.runtime import wake_relay_after_commit

# The columns every event has; the rest of a model's fields are its payload.
_ENVELOPE_FIELDS = frozenset({"id", "occurred_at", "actor_id", "subject_type", "subject_id"})
_EVENT_TYPES: dict[str, type[DomainEvent]] = {}
# session.info key: how many handled events led to the events this transaction records (see
# cause_depth); a request's own events are at depth 0.
_DEPTH_KEY = "fitcoach.worker.cause_depth"


class DomainEvent(BaseModel):
    """What happened, to what, by whom, and when. A subclass names its `type` (e.g.
    "subscriptions.granted"), bumps `version` when its payload changes shape, and adds the
    payload as typed fields."""

    model_config = ConfigDict(frozen=True)

    type: ClassVar[str]
    version: ClassVar[int] = 1
    # Payload fields that never leave the product (outgoing webhooks drop them): what only the
    # people the event concerns may read, such as a message's text.
    private_fields: ClassVar[frozenset[str]] = frozenset()

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: datetime
    actor_id: uuid.UUID | None
    subject_type: str
    subject_id: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "type" in cls.__dict__:
            known = _EVENT_TYPES.get(cls.type)
            if known is not None and known.__qualname__ != cls.__qualname__:
                raise ValueError(f"two event classes share the type {cls.type!r}")
            _EVENT_TYPES[cls.type] = cls

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude=set(_ENVELOPE_FIELDS))


class UnknownEventType(LookupError):
    """An outbox row whose type (or version) no loaded event class describes."""


def record_event(session: AsyncSession, event: DomainEvent) -> None:
    """Add `event` to the outbox in the caller's transaction (no flush, no commit)."""
    session.add(
        OutboxEvent(
            id=event.id,
            type=event.type,
            version=event.version,
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            payload=event.payload(),
            depth=cause_depth(session),
            # Wall-clock, unlike occurred_at (the injected clock): the relay's lag is measured
            # from it.
            recorded_at=datetime.now(UTC),
        )
    )
    wake_relay_after_commit(session)


def cause_depth(session: AsyncSession) -> int:
    """The depth of the events `session` records: 0 in a request, one more than the handled
    event's in an event handler's transaction. Rules that react to events by causing more of
    them read it to stop a loop."""
    depth: int = session.info.get(_DEPTH_KEY, 0)
    return depth


def handling_at_depth(session: AsyncSession, handled_depth: int) -> None:
    """Mark `session` as the transaction handling an event of `handled_depth`."""
    session.info[_DEPTH_KEY] = handled_depth + 1


def event_types() -> dict[str, type[DomainEvent]]:
    """Every event class loaded, by type: the catalog of what can happen."""
    return dict(_EVENT_TYPES)


def event_of(row: OutboxEvent) -> DomainEvent:
    """The typed event an outbox row holds."""
    event_class = _EVENT_TYPES.get(row.type)
    if event_class is None or event_class.version != row.version:
        raise UnknownEventType(f"{row.type} v{row.version}")
    return event_class.model_validate(
        {
            **row.payload,
            "id": row.id,
            "occurred_at": row.occurred_at,
            "actor_id": row.actor_id,
            "subject_type": row.subject_type,
            "subject_id": row.subject_id,
        }
    )
