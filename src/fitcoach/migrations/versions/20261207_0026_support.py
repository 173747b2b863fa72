"""Support tickets with SLA deadlines, their replies, support agents; attachments carried by a
ticket; how far each participant's unread-message digest has told them; settings' values as
text (the support policy is a longer JSON object).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
    ]


def _flag(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "support_tickets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("requester_id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("first_response_target_s", sa.Integer(), nullable=False),
        sa.Column("resolution_target_s", sa.Integer(), nullable=False),
        sa.Column("first_response_due_at", _TIME, nullable=True),
        sa.Column("first_response_warn_at", _TIME, nullable=True),
        sa.Column("resolution_due_at", _TIME, nullable=True),
        sa.Column("resolution_warn_at", _TIME, nullable=True),
        sa.Column("first_response_left_s", sa.Integer(), nullable=True),
        sa.Column("resolution_left_s", sa.Integer(), nullable=True),
        sa.Column("paused_at", _TIME, nullable=True),
        sa.Column("first_responded_at", _TIME, nullable=True),
        sa.Column("resolved_at", _TIME, nullable=True),
        _flag("first_response_warned"),
        _flag("first_response_breached"),
        _flag("resolution_warned"),
        _flag("resolution_breached"),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["users.id"],
            name=op.f("fk_support_tickets_requester_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["users.id"],
            name=op.f("fk_support_tickets_agent_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_tickets")),
    )
    op.create_index(
        "ix_support_tickets_requester_created", "support_tickets", ["requester_id", "created_at"]
    )
    op.create_index("ix_support_tickets_agent_status", "support_tickets", ["agent_id", "status"])
    op.create_index(
        "ix_support_tickets_status_created", "support_tickets", ["status", "created_at"]
    )
    op.create_table(
        "support_replies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["support_tickets.id"],
            name=op.f("fk_support_replies_ticket_id_support_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_support_replies_author_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_replies")),
    )
    op.create_index(
        "ix_support_replies_ticket_created", "support_replies", ["ticket_id", "created_at"]
    )
    op.create_table(
        "support_agents",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("available", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("last_assigned_at", _TIME, nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_support_agents_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_support_agents")),
    )
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("ticket_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_attachments_ticket_id_support_tickets"),
            "support_tickets",
            ["ticket_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_attachments_ticket_id", ["ticket_id"])
    with op.batch_alter_table("settings") as batch:
        batch.alter_column(
            "value", existing_type=sa.String(length=255), type_=sa.Text(), existing_nullable=False
        )
    with op.batch_alter_table("thread_participants") as batch:
        batch.add_column(
            sa.Column("digested_seq", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("settings") as batch:
        batch.alter_column(
            "value", existing_type=sa.Text(), type_=sa.String(length=255), existing_nullable=False
        )
    with op.batch_alter_table("thread_participants") as batch:
        batch.drop_column("digested_seq")
    with op.batch_alter_table("attachments") as batch:
        batch.drop_index("ix_attachments_ticket_id")
        batch.drop_constraint(op.f("fk_attachments_ticket_id_support_tickets"), type_="foreignkey")
        batch.drop_column("ticket_id")
    op.drop_table("support_agents")
    op.drop_index("ix_support_replies_ticket_created", table_name="support_replies")
    op.drop_table("support_replies")
    op.drop_index("ix_support_tickets_status_created", table_name="support_tickets")
    op.drop_index("ix_support_tickets_agent_status", table_name="support_tickets")
    op.drop_index("ix_support_tickets_requester_created", table_name="support_tickets")
    op.drop_table("support_tickets")
