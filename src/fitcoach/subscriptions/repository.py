"""Every query on subscriptions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.db.cache import topics
from fitcoach.db.cache.reads import CachedRead
from fitcoach.models import Subscription, User
from fitcoach.models.enums import SubscriptionType

# Built once: every subscription-dependent screen (/auth/me, the plan reads) runs it, and
# building a statement costs about as much as executing it.
_OF_USER = (
    select(Subscription)
    .where(Subscription.user_id == bindparam("user_id"))
    .order_by(Subscription.ends_at.desc())
)


@dataclass(frozen=True, slots=True)
class SubscriptionTerm:
    """A subscription as its readers see it: an immutable copy that a cache can share."""

    id: uuid.UUID
    type: str
    days: int
    starts_at: datetime
    ends_at: datetime


_TERMS: CachedRead[tuple[SubscriptionTerm, ...]] = CachedRead(
    "subscriptions", topic=topics.USER, tables=(Subscription.__tablename__,), max_groups=50_000
)


class SubscriptionRepository:
    async def of_user(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> tuple[SubscriptionTerm, ...]:
        """The user's subscriptions, the one that ends last first."""

        async def load() -> tuple[SubscriptionTerm, ...]:
            result = await session.execute(_OF_USER, {"user_id": user_id})
            return tuple(
                SubscriptionTerm(row.id, row.type, row.days, row.starts_at, row.ends_at)
                for row in result.scalars()
            )

        return await _TERMS.read(session, str(user_id), None, load)

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

    async def free_ending_between(
        self, session: AsyncSession, start: datetime, end: datetime
    ) -> list[tuple[Subscription, str | None]]:
        """Free subscriptions ending in [start, end) of users not blocked, with each user's
        time zone."""
        result = await session.execute(
            select(Subscription, User.time_zone)
            .join(User, User.id == Subscription.user_id)
            .where(
                Subscription.type == SubscriptionType.free.value,
                Subscription.ends_at >= start,
                Subscription.ends_at < end,
                User.is_blocked.is_(False),
            )
            .order_by(Subscription.ends_at)
        )
        return [(row[0], row[1]) for row in result.all()]


subscription_repository = SubscriptionRepository()
