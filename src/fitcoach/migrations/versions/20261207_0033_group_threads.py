"""Group threads: a session's thread and a program's group thread name what they belong to (one
thread each), and a thread can be closed (a canceled session's: readable, no new messages).

The links are SET NULL on delete: a conversation is its participants' record as much as the
session's or the program's, so it outlives them (unlinked, still readable) rather than being
deleted with them. A deleted session or product never takes its customers' messages along.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LINKS = (("session_id", "scheduled_sessions"), ("product_id", "products"))


def upgrade() -> None:
    with op.batch_alter_table("message_threads", schema=None) as batch_op:
        for column, table in _LINKS:
            batch_op.add_column(sa.Column(column, sa.Uuid(), nullable=True))
            batch_op.create_foreign_key(
                op.f(f"fk_message_threads_{column}_{table}"),
                table,
                [column],
                ["id"],
                ondelete="SET NULL",
            )
            batch_op.create_unique_constraint(op.f(f"uq_message_threads_{column}"), [column])
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("message_threads", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
        for column, table in reversed(_LINKS):
            batch_op.drop_constraint(op.f(f"uq_message_threads_{column}"), type_="unique")
            batch_op.drop_constraint(
                op.f(f"fk_message_threads_{column}_{table}"), type_="foreignkey"
            )
            batch_op.drop_column(column)
