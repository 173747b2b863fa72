"""Every query on reviews, and who may see which: `readable_by` shows hidden reviews only to
admins and their author. The review totals kept on products and coaches are written through
the products repository, which owns those rows."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import ColumnElement, delete, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import Actor, Order, ProductReview, User
from fitcoach.models.enums import Role


class ReviewsRepository:
    def readable_by(self, actor: Actor) -> ColumnElement[bool]:
        if actor.has_role(Role.ADMIN):
            return true()
        return or_(ProductReview.hidden.is_(false()), ProductReview.author_id == actor.id)

    async def find_readable(
        self,
        session: AsyncSession,
        product_id: uuid.UUID,
        review_id: uuid.UUID,
        actor: Actor,
        *,
        for_update: bool = False,
    ) -> ProductReview | None:
        statement = select(ProductReview).where(
            ProductReview.id == review_id,
            ProductReview.product_id == product_id,
            self.readable_by(actor),
        )
        if for_update:
            statement = statement.with_for_update()
        return (await session.execute(statement)).scalar_one_or_none()

    async def exists(
        self, session: AsyncSession, product_id: uuid.UUID, author_id: uuid.UUID
    ) -> bool:
        found = await session.scalar(
            select(ProductReview.id).where(
                ProductReview.product_id == product_id, ProductReview.author_id == author_id
            )
        )
        return found is not None

    async def bought(
        self, session: AsyncSession, product_id: uuid.UUID, customer_id: uuid.UUID
    ) -> bool:
        """Whether the customer paid an order of the product (commerce's orders table)."""
        found = await session.scalar(
            select(Order.id)
            .where(
                Order.user_id == customer_id,
                Order.product_id == product_id,
                Order.paid_at.is_not(None),
            )
            .limit(1)
        )
        return found is not None

    async def list_page(
        self,
        session: AsyncSession,
        product_id: uuid.UUID,
        readable: ColumnElement[bool],
        page: PageRequest,
    ) -> tuple[list[ProductReview], int]:
        statement = (
            select(ProductReview)
            .where(ProductReview.product_id == product_id, readable)
            .order_by(ProductReview.created_at.desc(), ProductReview.id.desc())
        )
        return await fetch_page(session, statement, page)

    async def author_names(
        self, session: AsyncSession, author_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        if not author_ids:
            return {}
        result = await session.execute(
            select(User.id, User.name).where(User.id.in_(set(author_ids)))
        )
        return dict(result.all())

    def add(self, session: AsyncSession, review: ProductReview) -> None:
        session.add(review)

    async def delete(self, session: AsyncSession, review_id: uuid.UUID) -> None:
        await session.execute(
            delete(ProductReview)
            .where(ProductReview.id == review_id)
            .execution_options(synchronize_session=False)
        )


reviews_repository = ReviewsRepository()
