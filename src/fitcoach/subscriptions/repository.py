"""Every query on subscriptions."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import Subscription
from fitcoach.models.enums import SubscriptionType

# Built once: every subscription-dependent screen (/auth/me, the plan reads) runs it, and
# building a statement costs about as much as executing it.
_OF_USER = (
    select(Subscription)
    .where(Subscription.user_id == bindparam("user_id"))
    .order_by(Subscription.ends_at.desc())
)


class SubscriptionRepository:
    async def of_user(self, session: AsyncSession, user_id: uuid.UUID) -> list[Subscription]:
        result = await session.execute(_OF_USER, {"user_id": user_id})
        return list(result.scalars())

    async def newest_free(self, session: AsyncSession, user_id: uuid.UUID) -> Subscription | None:
        result = await session.execute(
            select(Subscription)
            .where(
                Subscription.user_id == user_id, Subscription.type == SubscriptionType.free.value
            )
            .order_by(Subscription.created_at.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    def add(self, session: AsyncSession, subscription: Subscription) -> None:
        session.add(subscription)


subscription_repository = SubscriptionRepository()
