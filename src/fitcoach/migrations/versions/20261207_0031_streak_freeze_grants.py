"""Streak freezes granted to customers (the automations' `freeze` action): rows the streak's
recomputation reads, each on the customer's local day of the grant.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "streak_freeze_grants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("automation_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.CheckConstraint("count >= 1", name=op.f("ck_streak_freeze_grants_count_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_streak_freeze_grants_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["automation_id"],
            ["automations.id"],
            name=op.f("fk_streak_freeze_grants_automation_id_automations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_streak_freeze_grants")),
    )
    op.create_index(
        "ix_streak_freeze_grants_customer_date",
        "streak_freeze_grants",
        ["customer_id", "local_date"],
    )


def downgrade() -> None:
    op.drop_index("ix_streak_freeze_grants_customer_date", table_name="streak_freeze_grants")
    op.drop_table("streak_freeze_grants")
