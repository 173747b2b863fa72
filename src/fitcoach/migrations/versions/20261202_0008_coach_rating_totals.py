"""Each coach's review totals over their published products, kept instead of summed per request.

Every catalog page and product answer showed its coaches' ratings by summing the totals of all
their published products, so a page cost grew with the catalog (at a million products, half a
million rows summed per page). The totals now live in one row per coach, kept by the writes
that move them; this fills them from the products as they are.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coach_rating_totals",
        sa.Column("coach_id", sa.Uuid(), nullable=False),
        sa.Column("rating_sum", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("rating_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "rating_sum >= 0", name=op.f("ck_coach_rating_totals_rating_sum_non_negative")
        ),
        sa.CheckConstraint(
            "rating_count >= 0", name=op.f("ck_coach_rating_totals_rating_count_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["users.id"],
            name=op.f("fk_coach_rating_totals_coach_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("coach_id", name=op.f("pk_coach_rating_totals")),
    )
    op.execute(
        "INSERT INTO coach_rating_totals (coach_id, rating_sum, rating_count) "
        "SELECT coach_id, SUM(rating_sum), SUM(rating_count) FROM products "
        "WHERE status = 'published' GROUP BY coach_id"
    )


def downgrade() -> None:
    op.drop_table("coach_rating_totals")
