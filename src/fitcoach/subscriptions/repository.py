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
    product_id: uuid.UUID | None
    entitlements: Entitlements


@dataclass(frozen=True, slots=True)
class Entitlements:
    """What a bought subscription includes: its product's terms when it was paid for."""

    sessions_per_month: int = 0
    custom_training_plan: bool = False
    custom_diet_plan: bool = False
    chat_access: bool = False

    @classmethod
    def of(cls, subscription: Subscription) -> Entitlements:
        return cls(
            sessions_per_month=subscription.sessions_per_month,
            custom_training_plan=subscription.custom_training_plan,
            custom_diet_plan=subscription.custom_diet_plan,
            chat_access=subscription.chat_access,
        )


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
                SubscriptionTerm(
                    row.id,
                    row.type,
                    row.days,
                    row.starts_at,
                    row.ends_at,
                    row.product_id,
                    Entitlements.of(row),
                )
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

    async def active_paid_for_update(
        self, session: AsyncSession, user_id: uuid.UUID, product_id: uuid.UUID, now: datetime
    ) -> Subscription | None:
        """The user's paid subscription of `product_id` active at `now` (the one ending last),
        locked until commit."""
        result = await session.execute(
            select(Subscription)
            .where(
                Subscription.user_id == user_id,
                Subscription.product_id == product_id,
                Subscription.type == SubscriptionType.paid.value,
                Subscription.starts_at <= now,
                Subscription.ends_at > now,
            )
            .order_by(Subscription.ends_at.desc())
            .limit(1)
            .with_for_update()
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
