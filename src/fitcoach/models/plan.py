from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class Plan(IdMixin, TimestampMixin, Base):
    """A training or diet plan: a template when owner_id is null, else one user's custom plan."""

    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_owner_type_created", "owner_id", "type", "created_at"),)

    type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    items: Mapped[list[PlanItem]] = relationship(
        cascade="all, delete-orphan", order_by="PlanItem.position", lazy="raise"
    )


class PlanItem(IdMixin, TimestampMixin, Base):
    """One row of a plan. Training rows use exercise/sets/reps/rest; diet rows meal/foods/macros."""

    __tablename__ = "plan_items"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    day: Mapped[int]
    notes: Mapped[str | None] = mapped_column(Text)
    media_url: Mapped[str | None] = mapped_column(String(2048))
    exercise: Mapped[str | None] = mapped_column(String(120))
    sets: Mapped[int | None]
    reps: Mapped[str | None] = mapped_column(String(32))
    rest_seconds: Mapped[int | None]
    meal: Mapped[str | None] = mapped_column(String(120))
    foods: Mapped[list[Any] | None] = mapped_column(JSON)
    calories: Mapped[int | None]
    protein_g: Mapped[float | None]
    carbs_g: Mapped[float | None]
    fat_g: Mapped[float | None]
