"""Payments: the provider's customer per user (Stripe's `cus_...`, whose saved methods pay
renewals) and the providers' webhook events received, by id, so a replay is recognised.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
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
        "payment_customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_payment_customers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_customers")),
        sa.UniqueConstraint(
            "user_id", "provider", name=op.f("uq_payment_customers_user_id_provider")
        ),
    )
    op.create_table(
        "payment_webhook_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_webhook_events")),
        sa.UniqueConstraint(
            "provider", "event_id", name=op.f("uq_payment_webhook_events_provider_event_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("payment_webhook_events")
    op.drop_table("payment_customers")
