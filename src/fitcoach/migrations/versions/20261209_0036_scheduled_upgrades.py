"""Upgrades scheduled for a later day: the change keeps the target's prorated charge as quoted
(before tax), so the invoice issued on its day has the lines the customer was shown.

Going down, a scheduled upgrade cannot be kept without it (and the code before this revision
never applies one): it is withdrawn, nothing having been charged for it.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-09 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscription_changes") as batch:
        batch.add_column(sa.Column("prorated_charge_minor", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.execute(
        "UPDATE subscription_changes SET status = 'withdrawn' "
        "WHERE action = 'upgrade' AND status = 'scheduled'"
    )
    with op.batch_alter_table("subscription_changes") as batch:
        batch.drop_column("prorated_charge_minor")
