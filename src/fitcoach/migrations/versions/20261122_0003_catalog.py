"""The catalog: products (coaching programs) with their indexed goals and add-ons, and reviews.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("duration_weeks", sa.Integer(), nullable=False),
        sa.Column("price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("coach_id", sa.Uuid(), nullable=False),
        sa.Column("sessions_per_month", sa.Integer(), nullable=False),
        sa.Column("custom_training_plan", sa.Boolean(), nullable=False),
        sa.Column("custom_diet_plan", sa.Boolean(), nullable=False),
        sa.Column("chat_access", sa.Boolean(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("contraindications", sa.JSON(), nullable=False),
        sa.Column("media_urls", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rating_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rating_sum", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rating_average", sa.Float(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["users.id"],
            name=op.f("fk_products_coach_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
    )
    op.create_index("ix_products_coach_status", "products", ["coach_id", "status"])
    op.create_index("ix_products_status_created", "products", ["status", "created_at"])
    op.create_index(
        "ix_products_status_popular", "products", ["status", "rating_count", "created_at"]
    )
    op.create_index("ix_products_status_price", "products", ["status", "price_minor"])
    op.create_index(
        "ix_products_status_rating", "products", ["status", "rating_average", "rating_count"]
    )

    op.create_table(
        "product_goals",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("goal", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_goals_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", "goal", name=op.f("pk_product_goals")),
    )
    op.create_index("ix_product_goals_goal_product", "product_goals", ["goal", "product_id"])

    op.create_table(
        "product_addons",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("price_minor", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_addons_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_addons")),
    )
    op.create_index(op.f("ix_product_addons_product_id"), "product_addons", ["product_id"])

    op.create_table(
        "product_reviews",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_product_reviews_author_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_reviews_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_reviews")),
        sa.UniqueConstraint(
            "product_id", "author_id", name=op.f("uq_product_reviews_product_id_author_id")
        ),
    )
    op.create_index(op.f("ix_product_reviews_author_id"), "product_reviews", ["author_id"])
    op.create_index(
        "ix_product_reviews_product_hidden_created",
        "product_reviews",
        ["product_id", "hidden", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_product_reviews_product_hidden_created", table_name="product_reviews")
    op.drop_index(op.f("ix_product_reviews_author_id"), table_name="product_reviews")
    op.drop_table("product_reviews")
    op.drop_index(op.f("ix_product_addons_product_id"), table_name="product_addons")
    op.drop_table("product_addons")
    op.drop_index("ix_product_goals_goal_product", table_name="product_goals")
    op.drop_table("product_goals")
    op.drop_index("ix_products_status_rating", table_name="products")
    op.drop_index("ix_products_status_price", table_name="products")
    op.drop_index("ix_products_status_popular", table_name="products")
    op.drop_index("ix_products_status_created", table_name="products")
    op.drop_index("ix_products_coach_status", table_name="products")
    op.drop_table("products")
