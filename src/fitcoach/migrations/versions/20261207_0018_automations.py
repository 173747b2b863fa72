"""Automations, their runs, customer tags and coach tasks; the outbox keeps each event's cause
depth and is indexed by type and time (automations replay one type's history).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
    ]


def upgrade() -> None:
    op.add_column(
        "outbox_events", sa.Column("depth", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_index("ix_outbox_events_type_occurred", "outbox_events", ["type", "occurred_at"])
    op.create_table(
        "automations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.JSON(), nullable=False),
        sa.Column("trigger_event", sa.String(length=100), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=True),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("cap_runs", sa.Integer(), nullable=False),
        sa.Column("cap_hours", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_automations_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automations")),
    )
    op.create_index("ix_automations_trigger_status", "automations", ["trigger_event", "status"])
    op.create_table(
        "automation_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("automation_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("occurred_at", _TIME, nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("performed", sa.JSON(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["automation_id"],
            ["automations.id"],
            name=op.f("fk_automation_runs_automation_id_automations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_runs")),
        sa.UniqueConstraint(
            "automation_id", "event_id", name=op.f("uq_automation_runs_automation_id_event_id")
        ),
    )
    op.create_index(
        "ix_automation_runs_automation_created",
        "automation_runs",
        ["automation_id", "created_at"],
    )
    op.create_index(
        "ix_automation_runs_cap",
        "automation_runs",
        ["automation_id", "customer_id", "occurred_at"],
    )
    op.create_table(
        "customer_tags",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("automation_id", sa.Uuid(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_customer_tags_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["automation_id"],
            ["automations.id"],
            name=op.f("fk_customer_tags_automation_id_automations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("customer_id", "tag", name=op.f("pk_customer_tags")),
    )
    op.create_table(
        "coach_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("coach_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("automation_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_at", _TIME, nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["users.id"],
            name=op.f("fk_coach_tasks_coach_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_coach_tasks_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["automation_id"],
            ["automations.id"],
            name=op.f("fk_coach_tasks_automation_id_automations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_tasks")),
    )
    op.create_index("ix_coach_tasks_coach_created", "coach_tasks", ["coach_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_coach_tasks_coach_created", table_name="coach_tasks")
    op.drop_table("coach_tasks")
    op.drop_table("customer_tags")
    op.drop_index("ix_automation_runs_cap", table_name="automation_runs")
    op.drop_index("ix_automation_runs_automation_created", table_name="automation_runs")
    op.drop_table("automation_runs")
    op.drop_index("ix_automations_trigger_status", table_name="automations")
    op.drop_table("automations")
    op.drop_index("ix_outbox_events_type_occurred", table_name="outbox_events")
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("depth")
