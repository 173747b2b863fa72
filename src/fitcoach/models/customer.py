"""Customers: the profile their onboarding answers build, and the coaches assigned to them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class CustomerProfile(IdMixin, TimestampMixin, Base):
    """A customer's latest onboarding answers, derived risk flags and consent; one per user."""

    __tablename__ = "customer_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    questionnaire_version: Mapped[int]
    goals: Mapped[list[str]] = mapped_column(JSON)
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON)
    health_flags: Mapped[list[str]] = mapped_column(JSON)
    # In RiskFlag order; customer_risk_flags indexes the same keys.
    risk_flags: Mapped[list[str]] = mapped_column(JSON)
    consent_accepted_at: Mapped[datetime | None]
    consent_version: Mapped[int | None]
    consent_ip: Mapped[str | None] = mapped_column(String(45))


class CustomerRiskFlag(TimestampMixin, Base):
    """One risk flag of a customer: the indexed copy of CustomerProfile.risk_flags that the
    coach's "filter by risk flag" seeks on (a JSON list is not portably indexable)."""

    __tablename__ = "customer_risk_flags"
    __table_args__ = (Index("ix_customer_risk_flags_flag_user", "flag", "user_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    flag: Mapped[str] = mapped_column(String(32), primary_key=True)


class CoachAssignment(IdMixin, TimestampMixin, Base):
    """A coach looking after a customer from assigned_at until unassigned_at (null: still).
    Ended assignments are kept as history."""

    __tablename__ = "coach_assignments"
    __table_args__ = (
        # One live assignment per pair; the authorization filters seek on (coach, live).
        Index(
            "ix_coach_assignments_live_pair",
            "customer_id",
            "coach_id",
            unique=True,
            sqlite_where=text("unassigned_at IS NULL"),
            postgresql_where=text("unassigned_at IS NULL"),
        ),
        Index("ix_coach_assignments_coach_customer", "coach_id", "customer_id"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    coach_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assigned_at: Mapped[datetime]
    unassigned_at: Mapped[datetime | None]
    assigned_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    unassigned_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
