"""The tables of background work: the transactional outbox, the jobs that act on it (and any
delayed or recurring work), the record of which handler has seen which event, and the
heartbeats of the worker processes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base


class OutboxEvent(Base):
    """A domain event, written in the transaction of the change it describes. `relayed_at` is
    set when the relay has turned it into one job per subscribed handler."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_relayed_recorded", "relayed_at", "recorded_at"),
        # The history of one event type, newest first (automations replay it).
        Index("ix_outbox_events_type_occurred", "type", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[uuid.UUID | None]
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime]
    relayed_at: Mapped[datetime | None]
    # 0 for an event a request recorded; n + 1 for one recorded while handling an event of
    # depth n (a chain of reactions grows it, so a rule can refuse to loop).
    depth: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Job(Base):
    """One unit of background work and its whole history: `pending` until `due_at`, `queued`
    once handed to the engine, `running` while a worker holds its lease, then `succeeded`,
    `dead` (attempts exhausted; an admin may retry it) or `discarded`."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_due", "state", "due_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime]
    # At most one job per key, ever: a relay that runs twice, or two schedulers claiming the
    # same due time, add nothing the second time.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # Wall-clock time until which the worker running it (or the engine it was handed to) owns
    # it; past it, the dispatcher hands the job out again.
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class ProcessedEvent(Base):
    """That `handler` has acted on `event_id`, written in the handler's own transaction, so a
    redelivered event has no second effect."""

    __tablename__ = "processed_events"

    handler: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    processed_at: Mapped[datetime]


class WorkerHeartbeat(Base):
    """A worker process's last sign of life (wall clock), for readiness and operators."""

    __tablename__ = "worker_heartbeats"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    shape: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]
