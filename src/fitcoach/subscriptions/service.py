"""Subscription rules. A subscription of N days from T is active on [T, T + N days): zero days
means not subscribed. A user's current subscription is their active paid one, else their
active free one, else the one that ended last. An admin's grant or change records its event
(`subscriptions.events`) in the same transaction; its handler tells the customer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service, changes_between
from fitcoach.models import Actor, Subscription
from fitcoach.models.enums import SubscriptionType
from fitcoach.settings.service import setting_service
from fitcoach.subscriptions.events import SUBJECT_TYPE, FreeDaysChanged, SubscriptionGranted
from fitcoach.subscriptions.repository import Entitlements as Entitlements
from fitcoach.subscriptions.repository import SubscriptionTerm, subscription_repository
from fitcoach.users.service import user_service
from fitcoach.worker.events import record_event

WARNING_WINDOW = timedelta(days=3)


def is_active(subscription: Subscription | SubscriptionTerm, now: datetime) -> bool:
    return subscription.starts_at <= now < subscription.ends_at


@dataclass(frozen=True)
class SubscriptionStatus:
    current: SubscriptionTerm | None
    is_subscribed: bool
    type: SubscriptionType | None
    ends_soon: bool


@dataclass(frozen=True)
class Purchase:
    """A paid term bought for a product: `days` more of it with its entitlements."""

    user_id: uuid.UUID
    product_id: uuid.UUID
    days: int
    entitlements: Entitlements


@dataclass(frozen=True)
class PaidPeriod:
    """The subscription a purchase created or extended, and the period the purchase paid for."""

    subscription: Subscription
    starts_at: datetime
    ends_at: datetime


class SubscriptionService:
    async def start_free_trial(
        self, session: AsyncSession, user_id: uuid.UUID, now: datetime
    ) -> Subscription:
        days = await setting_service.free_days(session)
        return self._add(session, user_id, SubscriptionType.free, days, now, granted_by=None)

    async def set_free_days(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        days: int,
        actor_id: uuid.UUID,
        now: datetime,
    ) -> Subscription:
        """Change the length of the user's free subscription, keeping its start; a user without
        one gets one starting now."""
        free = await subscription_repository.newest_free(session, user_id)
        if free is None:
            return self._add(
                session, user_id, SubscriptionType.free, days, now, granted_by=actor_id
            )
        free.days = days
        free.ends_at = free.starts_at + timedelta(days=days)
        free.granted_by_id = actor_id
        await session.flush()
        return free

    async def free_days_of(self, session: AsyncSession, user_id: uuid.UUID) -> int | None:
        free = await subscription_repository.newest_free(session, user_id)
        return free.days if free is not None else None

    async def grant_paid(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        days: int,
        actor_id: uuid.UUID,
        now: datetime,
    ) -> Subscription:
        return self._add(session, user_id, SubscriptionType.paid, days, now, granted_by=actor_id)

    async def purchase(self, session: AsyncSession, bought: Purchase, now: datetime) -> PaidPeriod:
        """Extend the user's active paid subscription of the same product by `days`, or start a
        new paid one now. The caller holds the user's row, so two purchases apply in turn."""
        current = await subscription_repository.active_paid_for_update(
            session, bought.user_id, bought.product_id, now
        )
        length = timedelta(days=bought.days)
        entitled = bought.entitlements
        if current is None:
            current = self._add(
                session, bought.user_id, SubscriptionType.paid, bought.days, now, granted_by=None
            )
            current.product_id = bought.product_id
            start = now
        else:
            start = current.ends_at
            current.days += bought.days
            current.ends_at = start + length
        current.sessions_per_month = entitled.sessions_per_month
        current.custom_training_plan = entitled.custom_training_plan
        current.custom_diet_plan = entitled.custom_diet_plan
        current.chat_access = entitled.chat_access
        await session.flush()
        return PaidPeriod(subscription=current, starts_at=start, ends_at=start + length)

    def _add(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        kind: SubscriptionType,
        days: int,
        now: datetime,
        *,
        granted_by: uuid.UUID | None,
    ) -> Subscription:
        subscription = Subscription(
            user_id=user_id,
            type=kind.value,
            days=days,
            starts_at=now,
            ends_at=now + timedelta(days=days),
            granted_by_id=granted_by,
        )
        subscription_repository.add(session, subscription)
        return subscription

    async def status(
        self, session: AsyncSession, user_id: uuid.UUID, now: datetime
    ) -> SubscriptionStatus:
        subscriptions = await subscription_repository.of_user(session, user_id)
        active = [sub for sub in subscriptions if is_active(sub, now)]
        paid = [sub for sub in active if sub.type == SubscriptionType.paid.value]
        candidates = paid or active or subscriptions
        if not candidates:
            return SubscriptionStatus(current=None, is_subscribed=False, type=None, ends_soon=False)
        current = candidates[0]
        subscribed = is_active(current, now)
        return SubscriptionStatus(
            current=current,
            is_subscribed=subscribed,
            type=SubscriptionType(current.type) if subscribed else None,
            ends_soon=subscribed and current.ends_at - now < WARNING_WINDOW,
        )

    async def change_free_days(
        self, session: AsyncSession, admin: Actor, user_id: uuid.UUID, days: int, now: datetime
    ) -> None:
        # Locked, so two admins changing one user's trial at once apply one after the other.
        await user_service.lock(session, user_id)
        before = await self.free_days_of(session, user_id)
        subscription = await self.set_free_days(session, user_id, days, admin.id, now)
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="subscription.free_days.updated",
                resource_type="subscription",
                resource_id=subscription.id,
                changes=changes_between({"freeDays": before}, {"freeDays": days}),
                details={"userId": str(user_id)},
            ),
            now,
        )
        record_event(
            session,
            FreeDaysChanged(
                occurred_at=now,
                actor_id=admin.id,
                subject_type=SUBJECT_TYPE,
                subject_id=str(subscription.id),
                user_id=user_id,
                free_days=days,
                previous_free_days=before,
                ends_at=subscription.ends_at,
            ),
        )

    async def grant_paid_by(
        self, session: AsyncSession, admin: Actor, user_id: uuid.UUID, days: int, now: datetime
    ) -> Subscription:
        await user_service.get(session, user_id)
        subscription = await self.grant_paid(session, user_id, days, admin.id, now)
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="subscription.paid.granted",
                resource_type="subscription",
                resource_id=subscription.id,
                changes=changes_between({}, {"type": "paid", "days": days}),
                details={"userId": str(user_id)},
            ),
            now,
        )
        record_event(
            session,
            SubscriptionGranted(
                occurred_at=now,
                actor_id=admin.id,
                subject_type=SUBJECT_TYPE,
                subject_id=str(subscription.id),
                user_id=user_id,
                days=days,
                ends_at=subscription.ends_at,
            ),
        )
        return subscription


subscription_service = SubscriptionService()
