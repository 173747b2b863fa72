"""The published products a recommendation may pick from."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import Product, ProductGoal
from fitcoach.models.enums import ProductStatus


class RecommendationsRepository:
    async def recommendation_candidates(
        self, session: AsyncSession, goals: Collection[str]
    ) -> list[tuple[Product, int]]:
        """Published products with how many of `goals` each serves: those serving at least one
        when goals are given, else all."""
        if not goals:
            every = await session.execute(
                select(Product, literal(0)).where(Product.status == ProductStatus.published)
            )
            return [(product, 0) for product, _ in every.all()]
        overlap = func.count(ProductGoal.goal)
        result = await session.execute(
            select(Product, overlap)
            .join(ProductGoal, ProductGoal.product_id == Product.id)
            .where(Product.status == ProductStatus.published, ProductGoal.goal.in_(set(goals)))
            .group_by(Product.id)
        )
        return [(product, int(count)) for product, count in result.all()]


recommendations_repository = RecommendationsRepository()
