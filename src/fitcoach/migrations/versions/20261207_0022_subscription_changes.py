"""Subscription changes and renewals: a paid subscription's billing state (active, past due
with its dunning schedule, expired, canceled; cancel at the period end), and the changes made
to it (upgrades, scheduled downgrades, pauses, cancels, resumes).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 09:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=16), server_default="active", nullable=False)
        )
        batch.add_column(
            sa.Column(
                "cancel_at_period_end", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch.add_column(sa.Column("renewal_period_end", _TIME, nullable=True))
        batch.add_column(sa.Column("next_renewal_attempt_at", _TIME, nullable=True))
        batch.add_column(
            sa.Column("renewal_attempts", sa.Integer(), server_default="0", nullable=False)
        )
    # The renewal job seeks paid subscriptions by billing state and end.
    op.create_index(
        "ix_subscriptions_type_status_ends", "subscriptions", ["type", "status", "ends_at"]
    )
    op.create_table(
        "subscription_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("effective_at", _TIME, nullable=False),
        sa.Column("ends_at", _TIME, nullable=True),
        sa.Column("target_product_id", sa.Uuid(), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("credit_minor", sa.Integer(), nullable=False),
        sa.Column("charge_minor", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_changes_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_subscription_changes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_product_id"],
            ["products.id"],
            name=op.f("fk_subscription_changes_target_product_id_products"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_subscription_changes_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_changes")),
    )
    op.create_index(
        "ix_subscription_changes_subscription",
        "subscription_changes",
        ["subscription_id", "action", "status"],
    )
    op.create_index(
        "ix_subscription_changes_due", "subscription_changes", ["status", "effective_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_subscription_changes_due", table_name="subscription_changes")
    op.drop_index("ix_subscription_changes_subscription", table_name="subscription_changes")
    op.drop_table("subscription_changes")
    op.drop_index("ix_subscriptions_type_status_ends", table_name="subscriptions")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("renewal_attempts")
        batch.drop_column("next_renewal_attempt_at")
        batch.drop_column("renewal_period_end")
        batch.drop_column("cancel_at_period_end")
        batch.drop_column("status")
