"""A promo code may be for one customer only (the codes automations offer).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("promo_codes") as batch:
        batch.add_column(sa.Column("customer_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_promo_codes_customer_id_users"),
            "users",
            ["customer_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("promo_codes") as batch:
        batch.drop_constraint(op.f("fk_promo_codes_customer_id_users"), type_="foreignkey")
        batch.drop_column("customer_id")
