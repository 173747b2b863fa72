"""Community: communities (a program's cohort or open), members, posts with their counts and
hot rank, comments, reactions and reports.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "communities",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("coach_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["users.id"],
            name=op.f("fk_communities_coach_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_communities_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communities")),
        sa.UniqueConstraint("product_id", name=op.f("uq_communities_product_id")),
    )
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_communities_coach_id"), ["coach_id"], unique=False)

    op.create_table(
        "community_members",
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_community_members_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_community_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("community_id", "user_id", name=op.f("pk_community_members")),
    )
    with op.batch_alter_table("community_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_community_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "community_posts",
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("has_media", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("held_for", sa.String(length=16), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("reaction_count", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("reports_reviewed", sa.Integer(), nullable=False),
        sa.Column("hot_rank", sa.Float(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_community_posts_author_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_community_posts_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_posts")),
    )
    with op.batch_alter_table("community_posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_community_posts_author", ["author_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_community_posts_hot", ["community_id", "hot_rank"], unique=False)
        batch_op.create_index(
            "ix_community_posts_new", ["community_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_community_posts_top",
            ["community_id", "reaction_count", "created_at"],
            unique=False,
        )

    op.create_table(
        "community_comments",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_community_comments_author_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["community_posts.id"],
            name=op.f("fk_community_comments_post_id_community_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_comments")),
    )
    with op.batch_alter_table("community_comments", schema=None) as batch_op:
        batch_op.create_index("ix_community_comments_post", ["post_id", "created_at"], unique=False)

    op.create_table(
        "community_reactions",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["community_posts.id"],
            name=op.f("fk_community_reactions_post_id_community_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_community_reactions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", "user_id", "type", name=op.f("pk_community_reactions")),
    )
    op.create_table(
        "community_reports",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("details", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["community_posts.id"],
            name=op.f("fk_community_reports_post_id_community_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_community_reports_reporter_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_reports")),
        sa.UniqueConstraint(
            "post_id", "reporter_id", name=op.f("uq_community_reports_post_id_reporter_id")
        ),
    )

    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("post_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_attachments_post_id"), ["post_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_attachments_post_id_community_posts"),
            "community_posts",
            ["post_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_attachments_post_id_community_posts"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_attachments_post_id"))
        batch_op.drop_column("post_id")
    op.drop_table("community_reports")
    op.drop_table("community_reactions")
    with op.batch_alter_table("community_comments", schema=None) as batch_op:
        batch_op.drop_index("ix_community_comments_post")

    op.drop_table("community_comments")
    with op.batch_alter_table("community_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_community_posts_top")
        batch_op.drop_index("ix_community_posts_new")
        batch_op.drop_index("ix_community_posts_hot")
        batch_op.drop_index("ix_community_posts_author")

    op.drop_table("community_posts")
    with op.batch_alter_table("community_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_members_user_id"))

    op.drop_table("community_members")
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_communities_coach_id"))

    op.drop_table("communities")
