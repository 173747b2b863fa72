"""Integrations: partners' API keys, and the wearables' connections, deliveries and metrics.

API keys are kept as keyed hashes found by their public prefix; a rotation keeps the previous
hash valid for an overlap window. A wearable webhook is matched to the customer through their
connection, its delivery id recorded against replays, and its samples stored once each.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("prefix", sa.String(length=24), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("previous_secret_hash", sa.String(length=64), nullable=True),
        sa.Column("previous_valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("rate_limit", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_api_keys_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
    )
    op.create_index("ix_api_keys_created_at", "api_keys", ["created_at"])
    op.create_table(
        "wearable_connections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("external_user_id", sa.String(length=128), nullable=False),
        sa.Column("access_token_sealed", sa.Text(), nullable=True),
        sa.Column("refresh_token_sealed", sa.Text(), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_wearable_connections_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wearable_connections")),
        sa.UniqueConstraint(
            "provider",
            "external_user_id",
            name=op.f("uq_wearable_connections_provider_external_user_id"),
        ),
        sa.UniqueConstraint(
            "customer_id", "provider", name=op.f("uq_wearable_connections_customer_id_provider")
        ),
    )
    op.create_table(
        "wearable_deliveries",
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("delivery_id", sa.String(length=128), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("provider", "delivery_id", name=op.f("pk_wearable_deliveries")),
    )
    op.create_table(
        "wearable_metrics",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("source_id", sa.String(length=160), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_wearable_metrics_customer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wearable_metrics")),
        sa.UniqueConstraint(
            "customer_id",
            "provider",
            "kind",
            "source_id",
            name=op.f("uq_wearable_metrics_customer_id_provider_kind_source_id"),
        ),
    )
    op.create_index(
        "ix_wearable_metrics_customer_kind_started",
        "wearable_metrics",
        ["customer_id", "kind", "started_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_wearable_metrics_customer_kind_started", table_name="wearable_metrics")
    op.drop_table("wearable_metrics")
    op.drop_table("wearable_deliveries")
    op.drop_table("wearable_connections")
    op.drop_index("ix_api_keys_created_at", table_name="api_keys")
    op.drop_table("api_keys")
