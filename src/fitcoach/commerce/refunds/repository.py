"""Every query on refunds."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import Refund


class RefundRepository:
    def add(self, session: AsyncSession, refund: Refund) -> None:
        session.add(refund)

    async def total_for(self, session: AsyncSession, order_id: uuid.UUID) -> int:
        total = await session.scalar(
            select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
                Refund.order_id == order_id
            )
        )
        return int(total or 0)

    async def known(self, session: AsyncSession, provider_refund_id: str) -> bool:
        found = await session.scalar(
            select(Refund.id).where(Refund.provider_refund_id == provider_refund_id)
        )
        return found is not None


refund_repository = RefundRepository()
