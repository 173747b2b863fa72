"""Communities: a program's cohort (customers with a paid subscription to its product) or one
open to every customer; their members, posts, comments, reactions and reports. A post keeps its
reaction, comment and report counts and its hot rank on its own row, moved in the statement
that adds or removes what they count, so a listing sorts and shows them without aggregating."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class Community(IdMixin, TimestampMixin, Base):
    __tablename__ = "communities"

    name: Mapped[str] = mapped_column(String(120))
    # A program's cohort names its product (one community per product); an open one none.
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), unique=True
    )
    # The coach who moderates it (a program's coach), besides the admins.
    coach_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class CommunityMember(TimestampMixin, Base):
    __tablename__ = "community_members"

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CommunityPost(IdMixin, TimestampMixin, Base):
    """`state`: published, held (pending review: reported past the threshold, or caught by the
    word and link filter; `held_for` says which) or hidden by a moderator."""

    __tablename__ = "community_posts"
    # Each sort's index leads with the community; the few held or hidden posts are skipped as
    # the index is read (a state column inside it would not serve the members' "published or
    # mine" condition).
    __table_args__ = (
        Index("ix_community_posts_new", "community_id", "created_at", "id"),
        Index("ix_community_posts_top", "community_id", "reaction_count", "created_at"),
        Index("ix_community_posts_hot", "community_id", "hot_rank"),
        Index("ix_community_posts_author", "author_id", "created_at"),
    )

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE")
    )
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    has_media: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16))
    held_for: Mapped[str | None] = mapped_column(String(16))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    reaction_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    # Reports a moderator has already answered (by restoring): only newer ones hold it again.
    reports_reviewed: Mapped[int] = mapped_column(Integer, default=0)
    hot_rank: Mapped[float] = mapped_column(Float)


class CommunityComment(IdMixin, TimestampMixin, Base):
    __tablename__ = "community_comments"
    __table_args__ = (Index("ix_community_comments_post", "post_id", "created_at"),)

    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("community_posts.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)


class CommunityReaction(TimestampMixin, Base):
    """One person's reaction of one type to one post: at most one row, so setting it twice
    counts once."""

    __tablename__ = "community_reactions"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    type: Mapped[str] = mapped_column(String(16), primary_key=True)


class CommunityReport(IdMixin, TimestampMixin, Base):
    __tablename__ = "community_reports"
    __table_args__ = (UniqueConstraint("post_id", "reporter_id"),)

    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("community_posts.id", ondelete="CASCADE"))
    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    details: Mapped[str | None] = mapped_column(String(500))
