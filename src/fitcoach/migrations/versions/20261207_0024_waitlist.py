"""Waitlists: a line of customers per full session, the places offered to it held on the
session (`held`, never with the bookings above capacity), and when a customer gave up a
place (`canceled_at`), which the waitlist's estimates learn from; and the calendar invitation
a notification's e-mail carries.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("scheduled_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_check_constraint(
            op.f("ck_scheduled_sessions_held_within_capacity"),
            "held >= 0 AND booked + held <= capacity",
        )
    with op.batch_alter_table("session_bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("canceled_at", _TIME, nullable=True))
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar", sa.Text(), nullable=True))
    op.create_table(
        "waitlist_entries",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("joined_at", _TIME, nullable=False),
        sa.Column("offered_at", _TIME, nullable=True),
        sa.Column("offer_expires_at", _TIME, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["scheduled_sessions.id"],
            name=op.f("fk_waitlist_entries_session_id_scheduled_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_waitlist_entries_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
        sa.UniqueConstraint(
            "session_id", "customer_id", name=op.f("uq_waitlist_entries_session_id_customer_id")
        ),
        sa.UniqueConstraint(
            "session_id", "number", name=op.f("uq_waitlist_entries_session_id_number")
        ),
    )
    op.create_index(
        "ix_waitlist_entries_session_status", "waitlist_entries", ["session_id", "status", "number"]
    )
    op.create_index(
        "ix_waitlist_entries_status_expiry", "waitlist_entries", ["status", "offer_expires_at"]
    )


def downgrade() -> None:
    op.drop_table("waitlist_entries")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("calendar")
    with op.batch_alter_table("session_bookings", schema=None) as batch_op:
        batch_op.drop_column("canceled_at")
    with op.batch_alter_table("scheduled_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_scheduled_sessions_held_within_capacity"), type_="check")
        batch_op.drop_column("held")
