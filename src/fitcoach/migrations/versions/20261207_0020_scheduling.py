"""Scheduling: sessions on coaches' calendars, bookings, the entitlement ledger. On PostgreSQL
two exclusion constraints (btree_gist) keep a coach's sessions (with their buffer) and a
customer's live bookings from overlapping; SQLite checks the same inside its single writer's
transaction.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "scheduled_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("coach_id", sa.Uuid(), nullable=False),
        sa.Column("start_at", _TIME, nullable=False),
        sa.Column("end_at", _TIME, nullable=False),
        sa.Column("coach_busy_until", _TIME, nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("join_link", sa.String(length=2048), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("series_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "end_at > start_at", name=op.f("ck_scheduled_sessions_ends_after_start")
        ),
        sa.CheckConstraint(
            "booked >= 0 AND booked <= capacity",
            name=op.f("ck_scheduled_sessions_within_capacity"),
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["users.id"],
            name=op.f("fk_scheduled_sessions_coach_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_scheduled_sessions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_sessions")),
    )
    op.create_index(
        "ix_scheduled_sessions_coach_start", "scheduled_sessions", ["coach_id", "start_at"]
    )
    op.create_index("ix_scheduled_sessions_start", "scheduled_sessions", ["start_at"])
    op.create_index("ix_scheduled_sessions_series", "scheduled_sessions", ["series_id"])
    op.create_table(
        "entitlement_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Uuid(), nullable=True),
        sa.Column("valid_from", _TIME, nullable=True),
        sa.Column("valid_until", _TIME, nullable=True),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=120), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_entitlement_entries_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_entitlement_entries_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["entitlement_entries.id"],
            name=op.f("fk_entitlement_entries_grant_id_entitlement_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_entitlement_entries_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlement_entries")),
    )
    op.create_index(
        "ix_entitlement_entries_customer_kind",
        "entitlement_entries",
        ["customer_id", "kind", "valid_until"],
    )
    op.create_index("ix_entitlement_entries_grant", "entitlement_entries", ["grant_id"])
    op.create_index(
        "ix_entitlement_entries_customer_source",
        "entitlement_entries",
        ["customer_id", "source"],
        unique=True,
        sqlite_where=sa.text("source IS NOT NULL"),
        postgresql_where=sa.text("source IS NOT NULL"),
    )
    op.create_table(
        "session_bookings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_at", _TIME, nullable=False),
        sa.Column("end_at", _TIME, nullable=False),
        sa.Column("grant_id", sa.Uuid(), nullable=True),
        sa.Column("booked_by_id", sa.Uuid(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["scheduled_sessions.id"],
            name=op.f("fk_session_bookings_session_id_scheduled_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_session_bookings_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["entitlement_entries.id"],
            name=op.f("fk_session_bookings_grant_id_entitlement_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["booked_by_id"],
            ["users.id"],
            name=op.f("fk_session_bookings_booked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_bookings")),
        sa.UniqueConstraint(
            "session_id", "customer_id", name=op.f("uq_session_bookings_session_id_customer_id")
        ),
    )
    op.create_index(
        "ix_session_bookings_customer_start", "session_bookings", ["customer_id", "start_at"]
    )
    op.create_table(
        "coach_availability",
        sa.Column("coach_id", sa.Uuid(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("weekly_hours", sa.JSON(), nullable=False),
        sa.Column("time_off", sa.JSON(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["users.id"],
            name=op.f("fk_coach_availability_coach_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("coach_id", name=op.f("pk_coach_availability")),
    )
    op.create_table(
        "calendar_feed_tokens",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_feed_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_calendar_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_tokens_token_hash")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE scheduled_sessions ADD CONSTRAINT ex_scheduled_sessions_coach_busy "
            "EXCLUDE USING gist (coach_id WITH =, tstzrange(start_at, coach_busy_until) WITH &&) "
            "WHERE (status = 'scheduled')"
        )
        op.execute(
            "ALTER TABLE session_bookings ADD CONSTRAINT ex_session_bookings_customer_busy "
            "EXCLUDE USING gist (customer_id WITH =, tstzrange(start_at, end_at) WITH &&) "
            "WHERE (status = 'booked')"
        )


def downgrade() -> None:
    op.drop_table("calendar_feed_tokens")
    op.drop_table("coach_availability")
    op.drop_table("session_bookings")
    op.drop_table("entitlement_entries")
    op.drop_table("scheduled_sessions")
