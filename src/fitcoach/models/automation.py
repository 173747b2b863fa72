"""Automations: rules that act when an event happens (notify, tag, task the coach), the record
of each run, and what their actions leave behind (customer tags, coach tasks)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class Automation(IdMixin, TimestampMixin, Base):
    """A rule: when `trigger_event` happens and `conditions` hold, run `actions`, at most
    `cap_runs` times per customer in any `cap_hours`. `trigger`, `conditions` and `actions`
    are kept as the client wrote them (validated on save, compiled when used)."""

    __tablename__ = "automations"
    # The live handler seeks the active rules of one event type.
    __table_args__ = (Index("ix_automations_trigger_status", "trigger_event", "status"),)

    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[dict[str, Any]] = mapped_column(JSON)
    trigger_event: Mapped[str] = mapped_column(String(100))
    conditions: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    cap_runs: Mapped[int] = mapped_column(Integer)
    cap_hours: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class AutomationRun(IdMixin, TimestampMixin, Base):
    """One automation meeting one event whose conditions held: what it did, or what stopped it
    (the frequency cap, the loop guard). Unique per (automation, event): a redelivered event
    runs nothing twice."""

    __tablename__ = "automation_runs"
    __table_args__ = (
        UniqueConstraint("automation_id", "event_id"),
        Index("ix_automation_runs_automation_created", "automation_id", "created_at"),
        # The frequency cap counts a customer's recent runs of one automation.
        Index("ix_automation_runs_cap", "automation_id", "customer_id", "occurred_at"),
    )

    automation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("automations.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime]
    customer_id: Mapped[uuid.UUID | None]
    outcome: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    performed: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class CustomerTag(TimestampMixin, Base):
    """A label on a customer (an automation's `tag` action puts them; conditions read them)."""

    __tablename__ = "customer_tags"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)
    automation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("automations.id", ondelete="SET NULL")
    )


class CoachTask(IdMixin, TimestampMixin, Base):
    """Something a coach should do about a customer, created by an automation's `task`
    action."""

    __tablename__ = "coach_tasks"
    __table_args__ = (Index("ix_coach_tasks_coach_created", "coach_id", "created_at"),)

    coach_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    automation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("automations.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
