"""Training: the exercise library (seeded with wger's 872 exercises), plan schedules and
assignments, habits, what they log each local day, streaks and badges.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from fitcoach.training.exercises.library import seed_exercises

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED_AT = datetime(2026, 12, 7, tzinfo=UTC)


def _timestamps() -> list[sa.Column[datetime]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _user_fk(column: str, table: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete=ondelete
    )


def _plan_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["plan_id"], ["plans.id"], name=op.f(f"fk_{table}_plan_id_plans"), ondelete="CASCADE"
    )


def _create_library() -> None:
    exercises = op.create_table(
        "exercises",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("movement_pattern", sa.String(length=16), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("image_url", sa.String(length=2048), nullable=True),
        sa.Column("video_url", sa.String(length=2048), nullable=True),
        sa.Column("variation_group", sa.String(length=64), nullable=True),
        sa.Column("licence", sa.String(length=32), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercises")),
    )
    op.create_index(op.f("ix_exercises_name"), "exercises", ["name"])
    op.create_index(op.f("ix_exercises_movement_pattern"), "exercises", ["movement_pattern"])
    op.create_index(op.f("ix_exercises_variation_group"), "exercises", ["variation_group"])
    tags = op.create_table(
        "exercise_tags",
        sa.Column("exercise_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("value", sa.String(length=48), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_tags_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "kind", "value", name=op.f("pk_exercise_tags")),
    )
    op.create_index(
        "ix_exercise_tags_kind_value", "exercise_tags", ["kind", "value", "exercise_id"]
    )
    seeds = seed_exercises()
    op.bulk_insert(
        exercises,
        [
            {
                "id": seed.id,
                "name": seed.name,
                "category": seed.category,
                "movement_pattern": seed.movement_pattern,
                "instructions": seed.instructions,
                "image_url": None,
                "video_url": None,
                "variation_group": seed.variation_group,
                "licence": seed.licence,
                "author": seed.author,
                "created_at": SEEDED_AT,
                "updated_at": SEEDED_AT,
            }
            for seed in seeds
        ],
    )
    op.bulk_insert(
        tags,
        [
            {"exercise_id": seed.id, "kind": kind, "value": value, "position": position}
            for seed in seeds
            for kind, values in (
                ("primary_muscle", seed.primary_muscles),
                ("secondary_muscle", seed.secondary_muscles),
                ("equipment", seed.equipment),
                ("contraindication", seed.contraindications),
            )
            for position, value in enumerate(values)
        ],
    )


def _create_schedules() -> None:
    op.create_table(
        "plan_schedules",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("cycle_days", sa.Integer(), nullable=True),
        *_timestamps(),
        _plan_fk("plan_schedules"),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_schedules")),
    )
    op.create_table(
        "plan_assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("assigned_by_id", sa.Uuid(), nullable=True),
        *_timestamps(),
        _user_fk("customer_id", "plan_assignments"),
        _user_fk("assigned_by_id", "plan_assignments", "SET NULL"),
        _plan_fk("plan_assignments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_assignments")),
        sa.UniqueConstraint(
            "customer_id", "plan_id", name=op.f("uq_plan_assignments_customer_id_plan_id")
        ),
    )
    op.create_index(op.f("ix_plan_assignments_plan_id"), "plan_assignments", ["plan_id"])
    op.create_index(
        "ix_plan_assignments_customer_start", "plan_assignments", ["customer_id", "start_date"]
    )
    op.create_table(
        "habits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        *_timestamps(),
        _plan_fk("habits"),
        _user_fk("customer_id", "habits"),
        sa.CheckConstraint(
            "(plan_id IS NULL) <> (customer_id IS NULL)", name=op.f("ck_habits_one_owner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_habits")),
    )
    op.create_index(op.f("ix_habits_plan_id"), "habits", ["plan_id"])
    op.create_index(op.f("ix_habits_customer_id"), "habits", ["customer_id"])


def _create_logs() -> None:
    op.create_table(
        "item_logs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        *_timestamps(),
        _user_fk("customer_id", "item_logs"),
        _plan_fk("item_logs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_logs")),
        sa.UniqueConstraint(
            "customer_id",
            "subject_id",
            "local_date",
            name=op.f("uq_item_logs_customer_id_subject_id_local_date"),
        ),
    )
    op.create_index("ix_item_logs_customer_date", "item_logs", ["customer_id", "local_date"])
    op.create_table(
        "streaks",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("current", sa.Integer(), nullable=False),
        sa.Column("longest", sa.Integer(), nullable=False),
        sa.Column("freezes", sa.Integer(), nullable=False),
        sa.Column("freezes_used", sa.Integer(), nullable=False),
        sa.Column("workouts", sa.Integer(), nullable=False),
        sa.Column("perfect_weeks", sa.Integer(), nullable=False),
        *_timestamps(),
        _user_fk("customer_id", "streaks"),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_streaks")),
    )
    op.create_table(
        "customer_badges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("badge", sa.String(length=48), nullable=False),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("customer_id", "customer_badges"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_badges")),
        sa.UniqueConstraint(
            "customer_id", "badge", name=op.f("uq_customer_badges_customer_id_badge")
        ),
    )


def _create_substitutions_and_progress() -> None:
    op.create_table(
        "item_substitutions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("exercise_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        *_timestamps(),
        _user_fk("customer_id", "item_substitutions"),
        _plan_fk("item_substitutions"),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["plan_items.id"],
            name=op.f("fk_item_substitutions_item_id_plan_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_item_substitutions_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_substitutions")),
        sa.UniqueConstraint(
            "customer_id", "item_id", name=op.f("uq_item_substitutions_customer_id_item_id")
        ),
    )
    op.create_index(op.f("ix_item_substitutions_plan_id"), "item_substitutions", ["plan_id"])
    op.create_table(
        "progress_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=8), nullable=True),
        sa.Column("site", sa.String(length=16), nullable=True),
        sa.Column("photo_url", sa.String(length=2048), nullable=True),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        *_timestamps(),
        _user_fk("customer_id", "progress_entries"),
        _user_fk("recorded_by_id", "progress_entries", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_entries")),
    )
    op.create_index(
        "ix_progress_entries_customer_measured",
        "progress_entries",
        ["customer_id", "measured_at"],
    )


def _create_badge_definitions() -> None:
    op.create_table(
        "badge_definitions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        *_timestamps(),
        _user_fk("created_by_id", "badge_definitions", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_definitions")),
        sa.UniqueConstraint("code", name=op.f("uq_badge_definitions_code")),
    )


def _create_training_days() -> None:
    op.create_table(
        "training_days",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("workouts", sa.Integer(), nullable=False),
        sa.Column("workouts_done", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("items_done", sa.Integer(), nullable=False),
        *_timestamps(),
        _user_fk("customer_id", "training_days"),
        sa.PrimaryKeyConstraint("customer_id", "local_date", name=op.f("pk_training_days")),
    )


def upgrade() -> None:
    _create_library()
    _create_schedules()
    _create_logs()
    _create_substitutions_and_progress()
    _create_badge_definitions()
    _create_training_days()


def downgrade() -> None:
    for table in (
        "training_days",
        "badge_definitions",
        "progress_entries",
        "item_substitutions",
        "customer_badges",
        "streaks",
        "item_logs",
        "habits",
        "plan_assignments",
        "plan_schedules",
        "exercise_tags",
        "exercises",
    ):
        op.drop_table(table)
