"""The audit trail: append-only entries with the indexes its keyset pagination seeks on.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:19:22.366305
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# On PostgreSQL the database itself refuses to rewrite history, whatever client connects.
_FORBID_CHANGES = (
    """
    CREATE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()
    """,
)


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_roles", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.String(length=128), nullable=True),
        sa.Column("client_ip", sa.String(length=45), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_log_action_occurred_id", ["action", "occurred_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_audit_log_actor_occurred_id", ["actor_id", "occurred_at", "id"], unique=False
        )
        batch_op.create_index("ix_audit_log_occurred_id", ["occurred_at", "id"], unique=False)
        batch_op.create_index(
            "ix_audit_log_resource_occurred_id",
            ["resource_type", "occurred_at", "id"],
            unique=False,
        )
    if op.get_bind().dialect.name == "postgresql":
        for statement in _FORBID_CHANGES:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_is_append_only()")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_resource_occurred_id")
        batch_op.drop_index("ix_audit_log_occurred_id")
        batch_op.drop_index("ix_audit_log_actor_occurred_id")
        batch_op.drop_index("ix_audit_log_action_occurred_id")

    op.drop_table("audit_log")
