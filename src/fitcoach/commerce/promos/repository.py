"""Every query on promo codes and their redemptions."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import Order, PromoCode, PromoRedemption


class PromoRepository:
    def add(self, session: AsyncSession, promo: PromoCode | PromoRedemption) -> None:
        session.add(promo)

    async def get(
        self, session: AsyncSession, promo_id: uuid.UUID, *, for_update: bool = False
    ) -> PromoCode | None:
        statement = select(PromoCode).where(PromoCode.id == promo_id)
        if for_update:
            # Fresh values after the wait: another payment may have redeemed it meanwhile.
            statement = statement.with_for_update().execution_options(populate_existing=True)
        return (await session.execute(statement)).scalar_one_or_none()

    async def by_code(self, session: AsyncSession, code: str) -> PromoCode | None:
        result = await session.execute(select(PromoCode).where(PromoCode.code == code))
        return result.scalar_one_or_none()

    async def page(self, session: AsyncSession, page: PageRequest) -> tuple[list[PromoCode], int]:
        statement = select(PromoCode).order_by(PromoCode.created_at.desc(), PromoCode.id)
        return await fetch_page(session, statement, page)

    async def redemptions_by(
        self, session: AsyncSession, promo_id: uuid.UUID, user_id: uuid.UUID
    ) -> int:
        count = await session.scalar(
            select(func.count())
            .select_from(PromoRedemption)
            .where(PromoRedemption.promo_code_id == promo_id, PromoRedemption.user_id == user_id)
        )
        return int(count or 0)

    async def has_paid_order(self, session: AsyncSession, user_id: uuid.UUID) -> bool:
        found = await session.scalar(
            select(Order.id).where(Order.user_id == user_id, Order.status == "paid").limit(1)
        )
        return found is not None

    async def delete(self, session: AsyncSession, promo: PromoCode) -> None:
        await session.delete(promo)


promo_repository = PromoRepository()
