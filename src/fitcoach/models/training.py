"""Training: the exercise library, plan schedules and assignments, habits, what customers log
each local day, their streaks, the freezes granted them, and badges."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class Exercise(IdMixin, TimestampMixin, Base):
    """One exercise of the library. Seeded rows keep wger's id, licence and author."""

    __tablename__ = "exercises"

    name: Mapped[str] = mapped_column(String(160), index=True)
    category: Mapped[str] = mapped_column(String(32))
    movement_pattern: Mapped[str] = mapped_column(String(16), index=True)
    instructions: Mapped[str] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(2048))
    video_url: Mapped[str | None] = mapped_column(String(2048))
    # Exercises of one group are variations of each other: each other's first alternatives.
    variation_group: Mapped[str | None] = mapped_column(String(64), index=True)
    licence: Mapped[str] = mapped_column(String(32))
    author: Mapped[str] = mapped_column(String(120))

    tags: Mapped[list[ExerciseTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ExerciseTag.position"
    )

    def tagged(self, kind: str) -> list[str]:
        return [tag.value for tag in self.tags if tag.kind == kind]


class ExerciseTag(TimestampMixin, Base):
    """A muscle, piece of equipment or contraindicating health flag of an exercise; rows rather
    than a JSON list so that the library filters on them with an index on both databases."""

    __tablename__ = "exercise_tags"
    __table_args__ = (Index("ix_exercise_tags_kind_value", "kind", "value", "exercise_id"),)

    exercise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    value: Mapped[str] = mapped_column(String(48), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)


class PlanSchedule(TimestampMixin, Base):
    """How a plan's item days map to dates: `weekdays` (day 1 is Monday .. 7 Sunday) or `cycle`
    (day N of a repeating cycle of cycle_days days, counted from the assignment's start)."""

    __tablename__ = "plan_schedules"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    cycle_days: Mapped[int | None]


class PlanAssignment(IdMixin, TimestampMixin, Base):
    """A customer following a plan (a template shared with others, or their own) from a date."""

    __tablename__ = "plan_assignments"
    __table_args__ = (
        UniqueConstraint("customer_id", "plan_id"),
        Index("ix_plan_assignments_customer_start", "customer_id", "start_date"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    assigned_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class Habit(IdMixin, TimestampMixin, Base):
    """A daily target (water, steps, sleep or a custom check) of a plan's followers, or of one
    customer."""

    __tablename__ = "habits"
    __table_args__ = (
        CheckConstraint("(plan_id IS NULL) <> (customer_id IS NULL)", name="one_owner"),
    )

    plan_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    target: Mapped[float]
    unit: Mapped[str] = mapped_column(String(16))


class ItemLog(IdMixin, TimestampMixin, Base):
    """What a customer did with one plan item or habit on one local day. The subject is an item
    of a plan they follow or a habit; shared template items are never changed."""

    __tablename__ = "item_logs"
    __table_args__ = (
        UniqueConstraint("customer_id", "subject_id", "local_date"),
        Index("ix_item_logs_customer_date", "customer_id", "local_date"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Null for a habit of the customer's own.
    plan_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    subject_id: Mapped[uuid.UUID]
    subject_type: Mapped[str] = mapped_column(String(16))
    local_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    feedback: Mapped[str | None] = mapped_column(Text)
    logged_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))


class Streak(TimestampMixin, Base):
    """A customer's streak as last computed from their logged days (see streaks/rules.py)."""

    __tablename__ = "streaks"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    current: Mapped[int] = mapped_column(default=0)
    longest: Mapped[int] = mapped_column(default=0)
    freezes: Mapped[int] = mapped_column(default=0)
    freezes_used: Mapped[int] = mapped_column(default=0)
    workouts: Mapped[int] = mapped_column(default=0)
    perfect_weeks: Mapped[int] = mapped_column(default=0)


class StreakFreezeGrant(IdMixin, TimestampMixin, Base):
    """Streak freezes given to a customer (by an automation) on one of their local days. Kept as
    rows because the streak is recomputed from scratch: a grant is in stock from its day on."""

    __tablename__ = "streak_freeze_grants"
    __table_args__ = (
        CheckConstraint("count >= 1", name="count_positive"),
        Index("ix_streak_freeze_grants_customer_date", "customer_id", "local_date"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    count: Mapped[int]
    # Deleting the automation keeps its grants: the freezes were given.
    automation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("automations.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(Text)


class CustomerBadge(IdMixin, TimestampMixin, Base):
    """A badge a customer earned; the unique pair makes a second award a no-op."""

    __tablename__ = "customer_badges"
    __table_args__ = (UniqueConstraint("customer_id", "badge"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    badge: Mapped[str] = mapped_column(String(48))
    awarded_at: Mapped[datetime]


class ItemSubstitution(IdMixin, TimestampMixin, Base):
    """A customer doing a library alternative instead of a plan item's exercise. Theirs alone:
    the plan, shared or not, is never changed. One per customer and item; reverting deletes it."""

    __tablename__ = "item_substitutions"
    __table_args__ = (UniqueConstraint("customer_id", "item_id"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan_items.id", ondelete="CASCADE"))
    exercise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500))


class ProgressEntry(IdMixin, TimestampMixin, Base):
    """One measurement of a customer: body weight, body fat, a girth or a photo, with its unit
    and the time it was taken."""

    __tablename__ = "progress_entries"
    __table_args__ = (Index("ix_progress_entries_customer_measured", "customer_id", "measured_at"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None]
    unit: Mapped[str | None] = mapped_column(String(8))
    site: Mapped[str | None] = mapped_column(String(16))
    photo_url: Mapped[str | None] = mapped_column(String(2048))
    measured_at: Mapped[datetime]
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class BadgeDefinition(IdMixin, TimestampMixin, Base):
    """A badge an admin defined, earned like the built-in ones when a measure reaches a target."""

    __tablename__ = "badge_definitions"

    code: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    measure: Mapped[str] = mapped_column(String(16))
    target: Mapped[int]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class TrainingDay(TimestampMixin, Base):
    """A customer's local day as it stood at its last log: what was scheduled and done. Streaks
    read past days from here, so a later edit of the plan (which replaces its items) does not
    rewrite a day the customer already logged."""

    __tablename__ = "training_days"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    workouts: Mapped[int]
    workouts_done: Mapped[int]
    items: Mapped[int]
    items_done: Mapped[int]
