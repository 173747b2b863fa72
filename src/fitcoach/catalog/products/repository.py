"""Every query on products, their coaches' standing and their testimonials, and who may see
or change which product.

Products are read through `readable_by`: everyone reads published products, a coach also their
own drafts and archived products, an admin everything. `writable_by`: an admin changes every
product, a coach their own.

Review totals are kept twice, each by single UPDATE statements that add a delta: on the product
(its visible reviews) and on its coach (the totals of the coach's published products). Every
change to a product's totals or status holds the product's row lock until commit, and takes the
coach's row after it, so the coach's totals always equal the sum over their published products.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    UnaryExpression,
    case,
    cast,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from fitcoach.db.cache import topics
from fitcoach.db.cache.reads import CachedRead
from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import (
    Actor,
    CoachRatingTotals,
    Product,
    ProductAddon,
    ProductGoal,
    ProductReview,
    User,
)
from fitcoach.models.enums import Role

PUBLISHED = "published"
TESTIMONIALS_PER_PRODUCT = 3

# Pages of the published catalog: products, their goals and add-ons, their best reviews with
# their authors' names, their coaches' names and rating totals. The catalog topic only ever
# announces "everything changed", so each page is a group of its own and the oldest pages go
# first.
PUBLISHED_PAGES: CachedRead[Any] = CachedRead(
    "catalog_pages",
    topic=topics.CATALOG,
    tables=(
        Product.__tablename__,
        ProductGoal.__tablename__,
        ProductAddon.__tablename__,
        ProductReview.__tablename__,
        CoachRatingTotals.__tablename__,
        User.__tablename__,
    ),
    max_groups=2_000,
)

# The id ends every order so that pages never overlap or skip a product.
_SORTS: dict[str, tuple[UnaryExpression[Any], ...]] = {
    "price": (Product.price_minor.asc(), Product.created_at.desc(), Product.id.desc()),
    "-price": (Product.price_minor.desc(), Product.created_at.desc(), Product.id.desc()),
    "rating": (
        Product.rating_average.desc(),
        Product.rating_count.desc(),
        Product.created_at.desc(),
        Product.id.desc(),
    ),
    "newest": (Product.created_at.desc(), Product.id.desc()),
    "popular": (Product.rating_count.desc(), Product.created_at.desc(), Product.id.desc()),
}


@dataclass(frozen=True)
class ProductAccess:
    product: Product
    writable: bool


@dataclass(frozen=True)
class ProductFilter:
    goal: str | None = None
    duration_weeks: int | None = None
    price_min: int | None = None
    price_max: int | None = None
    coach_id: uuid.UUID | None = None


@dataclass(frozen=True)
class CoachStanding:
    id: uuid.UUID
    name: str
    rating_sum: int
    rating_count: int


@dataclass(frozen=True)
class Testimonial:
    review_id: uuid.UUID
    product_id: uuid.UUID
    rating: int
    text: str
    author_name: str
    created_at: datetime


class ProductsRepository:
    def readable_by(self, actor: Actor) -> ColumnElement[bool]:
        if actor.has_role(Role.ADMIN):
            return true()
        if actor.has_role(Role.COACH):
            return or_(Product.status == PUBLISHED, Product.coach_id == actor.id)
        return Product.status == PUBLISHED

    def writable_by(self, actor: Actor) -> ColumnElement[bool]:
        if actor.has_role(Role.ADMIN):
            return true()
        if actor.has_role(Role.COACH):
            return Product.coach_id == actor.id
        return false()

    async def find_readable(
        self,
        session: AsyncSession,
        product_id: uuid.UUID,
        actor: Actor,
        *,
        with_addons: bool = False,
        for_update: bool = False,
    ) -> ProductAccess | None:
        """The product if `actor` may read it, with whether they may change it, in one query."""
        statement = select(Product, self.writable_by(actor).label("writable")).where(
            Product.id == product_id, self.readable_by(actor)
        )
        if with_addons:
            statement = statement.options(selectinload(Product.addons))
        if for_update:
            # Serialises concurrent edits and status changes of one product (PostgreSQL;
            # SQLite serialises all writers anyway).
            statement = statement.with_for_update(of=Product)
        row = (await session.execute(statement)).one_or_none()
        if row is None:
            return None
        return ProductAccess(product=row[0], writable=bool(row[1]))

    async def list_published(
        self,
        session: AsyncSession,
        where: ProductFilter,
        sort: str,
        page: PageRequest,
        count_limit: int,
    ) -> tuple[list[Product], int]:
        statement: Select[Product] = select(Product).where(Product.status == PUBLISHED)
        if where.goal is not None:
            statement = statement.where(
                Product.id.in_(select(ProductGoal.product_id).where(ProductGoal.goal == where.goal))
            )
        if where.duration_weeks is not None:
            statement = statement.where(Product.duration_weeks == where.duration_weeks)
        if where.price_min is not None:
            statement = statement.where(Product.price_minor >= where.price_min)
        if where.price_max is not None:
            statement = statement.where(Product.price_minor <= where.price_max)
        if where.coach_id is not None:
            statement = statement.where(Product.coach_id == where.coach_id)
        return await fetch_page(
            session, statement.order_by(*_SORTS[sort]), page, count_limit=count_limit
        )

    async def coach_standings(
        self, session: AsyncSession, coach_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, CoachStanding]:
        """Each coach's name and the review totals of their published products, in one query
        that reads one row of each table per coach, however many products they have."""
        if not coach_ids:
            return {}
        result = await session.execute(
            select(
                User.id,
                User.name,
                func.coalesce(CoachRatingTotals.rating_sum, 0),
                func.coalesce(CoachRatingTotals.rating_count, 0),
            )
            .select_from(User)
            .outerjoin(CoachRatingTotals, CoachRatingTotals.coach_id == User.id)
            .where(User.id.in_(set(coach_ids)))
        )
        return {
            coach_id: CoachStanding(coach_id, name, int(total), int(count))
            for coach_id, name, total, count in result.all()
        }

    async def testimonials(
        self, session: AsyncSession, product_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[Testimonial]]:
        """The best visible reviews with text of every product given, in one query."""
        if not product_ids:
            return {}
        rank = (
            func.row_number()
            .over(
                partition_by=ProductReview.product_id,
                order_by=(
                    ProductReview.rating.desc(),
                    ProductReview.created_at.desc(),
                    ProductReview.id.desc(),
                ),
            )
            .label("rank")
        )
        ranked = (
            select(
                ProductReview.id,
                ProductReview.product_id,
                ProductReview.rating,
                ProductReview.text,
                ProductReview.created_at,
                User.name.label("author_name"),
                rank,
            )
            .join(User, User.id == ProductReview.author_id)
            .where(
                ProductReview.product_id.in_(product_ids),
                ProductReview.hidden.is_(false()),
                ProductReview.text.is_not(None),
            )
            .subquery()
        )
        result = await session.execute(
            select(ranked)
            .where(ranked.c.rank <= TESTIMONIALS_PER_PRODUCT)
            .order_by(ranked.c.product_id, ranked.c.rank)
        )
        found: dict[uuid.UUID, list[Testimonial]] = {}
        for row in result.mappings():
            found.setdefault(row["product_id"], []).append(
                Testimonial(
                    review_id=row["id"],
                    product_id=row["product_id"],
                    rating=row["rating"],
                    text=row["text"],
                    author_name=row["author_name"],
                    created_at=row["created_at"],
                )
            )
        return found

    async def get(self, session: AsyncSession, product_id: uuid.UUID) -> Product | None:
        return await session.get(Product, product_id)

    def add(self, session: AsyncSession, product: Product) -> None:
        session.add(product)

    async def replace_goals(
        self, session: AsyncSession, product_id: uuid.UUID, goals: Sequence[str]
    ) -> None:
        await session.execute(delete(ProductGoal).where(ProductGoal.product_id == product_id))
        if goals:
            await session.execute(
                insert(ProductGoal), [{"product_id": product_id, "goal": goal} for goal in goals]
            )

    async def add_to_rating(
        self, session: AsyncSession, product_id: uuid.UUID, *, points: int, reviews: int
    ) -> None:
        """Adds to the product's review totals, and to its coach's if it is published, each in
        one statement computed from the stored values, so that concurrent changes each apply on
        top of the others (PostgreSQL waits on the row lock and re-reads; SQLite runs one writer
        at a time). Whether the product is published is read from the row as this statement
        updated it, under its lock: a status change committed meanwhile is seen, and one not
        yet made waits for this transaction and then moves totals that include this change."""
        count = Product.rating_count + reviews
        total = Product.rating_sum + points
        result = await session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(
                rating_count=count,
                rating_sum=total,
                rating_average=case((count > 0, cast(total, Float) / count), else_=0.0),
            )
            .returning(Product.coach_id, Product.status)
            .execution_options(synchronize_session=False)
        )
        row = result.one_or_none()
        if row is not None and row.status == PUBLISHED:
            await self._add_to_coach_rating(session, row.coach_id, points=points, reviews=reviews)

    async def add_product_to_coach_rating(
        self, session: AsyncSession, product_id: uuid.UUID, coach_id: uuid.UUID, *, sign: int
    ) -> None:
        """Adds (sign 1) or takes away (sign -1) the product's review totals to or from its
        coach's, as the product enters or leaves `published`. The caller holds the product's row
        lock; the totals are read by the statement itself, never from a loaded copy that an
        earlier UPDATE in this transaction may have left stale."""
        points = select(Product.rating_sum).where(Product.id == product_id).scalar_subquery()
        reviews = select(Product.rating_count).where(Product.id == product_id).scalar_subquery()
        await self._add_to_coach_rating(
            session, coach_id, points=sign * points, reviews=sign * reviews
        )

    async def _add_to_coach_rating(
        self,
        session: AsyncSession,
        coach_id: uuid.UUID,
        *,
        points: int | ColumnElement[int],
        reviews: int | ColumnElement[int],
    ) -> None:
        """Adds to the coach's totals, creating their row (at 0) the first time it is needed."""
        statement = (
            update(CoachRatingTotals)
            .where(CoachRatingTotals.coach_id == coach_id)
            .values(
                rating_sum=CoachRatingTotals.rating_sum + points,
                rating_count=CoachRatingTotals.rating_count + reviews,
            )
            .returning(CoachRatingTotals.coach_id)
            .execution_options(synchronize_session=False)
        )
        if (await session.execute(statement)).first() is not None:
            return
        # A concurrent creator's row counts as existing once it commits: PostgreSQL makes the
        # insert wait for it, and the update after it then adds on top.
        insert_if_absent = (
            pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        )
        await session.execute(
            insert_if_absent(CoachRatingTotals)
            .values(coach_id=coach_id, rating_sum=0, rating_count=0)
            .on_conflict_do_nothing(index_elements=[CoachRatingTotals.coach_id])
        )
        await session.execute(statement)


products_repository = ProductsRepository()
