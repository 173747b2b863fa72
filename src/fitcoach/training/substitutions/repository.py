"""Queries on substitutions; each names its customer, so one customer's swap never shows in
another's day."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import Exercise, ItemSubstitution


class SubstitutionsRepository:
    async def of_items(
        self, session: AsyncSession, customer_id: uuid.UUID, item_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[ItemSubstitution, Exercise]]:
        if not item_ids:
            return {}
        rows = await session.execute(
            select(ItemSubstitution, Exercise)
            .join(Exercise, Exercise.id == ItemSubstitution.exercise_id)
            .where(
                ItemSubstitution.customer_id == customer_id,
                ItemSubstitution.item_id.in_(item_ids),
            )
        )
        return {row[0].item_id: (row[0], row[1]) for row in rows.all()}

    async def get(
        self, session: AsyncSession, plan_id: uuid.UUID, substitution_id: uuid.UUID
    ) -> ItemSubstitution | None:
        return await session.scalar(
            select(ItemSubstitution).where(
                ItemSubstitution.id == substitution_id, ItemSubstitution.plan_id == plan_id
            )
        )

    def add(self, session: AsyncSession, substitution: ItemSubstitution) -> None:
        session.add(substitution)

    async def remove(self, session: AsyncSession, substitution: ItemSubstitution) -> None:
        await session.delete(substitution)
        await session.flush()


substitutions_repository = SubstitutionsRepository()
