"""Onboarding: the versioned questionnaire customers answer, and every answer they gave."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class Questionnaire(IdMixin, TimestampMixin, Base):
    """One version of the onboarding questionnaire. Exactly one is current; earlier ones are
    retired but kept, since stored answers name the version they answered."""

    __tablename__ = "questionnaires"
    # At most one current version, whatever two admins do at once.
    __table_args__ = (
        Index(
            "ix_questionnaires_one_current",
            "status",
            unique=True,
            sqlite_where=text("status = 'current'"),
            postgresql_where=text("status = 'current'"),
        ),
    )

    version: Mapped[int] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(String(16))
    # {"goals": [...], "preferences": [...], "healthFlags": [...]}, as the API shows them.
    questions: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class OnboardingIntake(IdMixin, TimestampMixin, Base):
    """One submitted answer to a questionnaire version, kept as history; the customer's profile
    holds the latest."""

    __tablename__ = "onboarding_intakes"
    __table_args__ = (Index("ix_onboarding_intakes_user_created", "user_id", "created_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    questionnaire_version: Mapped[int]
    goals: Mapped[list[str]] = mapped_column(JSON)
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON)
    health_flags: Mapped[list[str]] = mapped_column(JSON)
    risk_flags: Mapped[list[str]] = mapped_column(JSON)
    consent_accepted_at: Mapped[datetime]
    consent_ip: Mapped[str | None] = mapped_column(String(45))
