"""The catalog: coaching programs (products) with their add-ons and goals, and customers' reviews
of them. A product keeps its review totals (count, sum, average of visible reviews) so that
listing and sorting by rating never aggregate reviews, and a coach keeps the totals of their
published products so that showing a coach's rating never aggregates products."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fitcoach.db.base import Base, IdMixin, TimestampMixin


class Product(IdMixin, TimestampMixin, Base):
    """A coaching program. Prices are integer minor units of `currency` (ISO 4217)."""

    __tablename__ = "products"
    # Listings show published products only, so every index the list seeks on leads with status;
    # the sort indexes cover the whole ORDER BY (tie-breakers included), so a page stops after
    # its rows instead of sorting every product tied on the first key.
    __table_args__ = (
        Index("ix_products_status_price", "status", "price_minor"),
        Index("ix_products_status_created", "status", "created_at", "id"),
        Index(
            "ix_products_status_rating",
            "status",
            "rating_average",
            "rating_count",
            "created_at",
            "id",
        ),
        Index("ix_products_status_popular", "status", "rating_count", "created_at", "id"),
        Index("ix_products_coach_status", "coach_id", "status"),
    )

    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    # The goal keys in the order the coach gave them; product_goals indexes the same keys.
    goals: Mapped[list[str]] = mapped_column(JSON)
    duration_weeks: Mapped[int]
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    level: Mapped[str] = mapped_column(String(16))
    coach_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    sessions_per_month: Mapped[int] = mapped_column(default=0)
    custom_training_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    custom_diet_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    chat_access: Mapped[bool] = mapped_column(Boolean, default=False)
    tags: Mapped[list[str]] = mapped_column(JSON)
    contraindications: Mapped[list[str]] = mapped_column(JSON)
    media_urls: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    published_at: Mapped[datetime | None]
    # Totals of visible reviews, changed only by single UPDATE statements that add a delta, so
    # concurrent reviews never lose one another. rating_average is 0 while there is none, which
    # also sorts unrated products last.
    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_average: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")

    addons: Mapped[list[ProductAddon]] = relationship(
        cascade="all, delete-orphan", order_by="ProductAddon.position", lazy="raise"
    )


class ProductGoal(TimestampMixin, Base):
    """One goal of a product: the indexed copy of Product.goals that the goal filter seeks on
    (a JSON list cannot be indexed the same way on SQLite and PostgreSQL)."""

    __tablename__ = "product_goals"
    __table_args__ = (Index("ix_product_goals_goal_product", "goal", "product_id"),)

    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    goal: Mapped[str] = mapped_column(String(32), primary_key=True)


class ProductAddon(IdMixin, TimestampMixin, Base):
    """An extra sold with a product, priced in the product's currency."""

    __tablename__ = "product_addons"

    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    price_minor: Mapped[int]


class ProductReview(IdMixin, TimestampMixin, Base):
    """A customer's review of a product, one per customer and product. Hidden reviews stay
    stored but count in no total."""

    __tablename__ = "product_reviews"
    __table_args__ = (
        UniqueConstraint("product_id", "author_id"),
        Index("ix_product_reviews_product_hidden_created", "product_id", "hidden", "created_at"),
    )

    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int]
    text: Mapped[str | None] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hidden_at: Mapped[datetime | None]


class CoachRatingTotals(TimestampMixin, Base):
    """The sums of `rating_sum` and `rating_count` over a coach's published products. Changed
    in the transaction of every change that moves them (a visible review of a published product,
    a product entering or leaving `published`), by single UPDATE statements that add a delta,
    like the product's own totals. A coach without a row has none."""

    __tablename__ = "coach_rating_totals"
    __table_args__ = (
        CheckConstraint("rating_sum >= 0", name="rating_sum_non_negative"),
        CheckConstraint("rating_count >= 0", name="rating_count_non_negative"),
    )

    coach_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # Wider than a product's totals, which they add up.
    rating_sum: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    rating_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
