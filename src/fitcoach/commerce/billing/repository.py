"""Every query of subscription changes and renewals."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import (
    Order,
    Payment,
    PaymentMethod,
    Refund,
    Subscription,
    SubscriptionChange,
)
from fitcoach.models.enums import SubscriptionType


class ChangeStatus:
    scheduled = "scheduled"
    applied = "applied"
    # A scheduled change that never took effect (a pause resumed before it began), or an
    # upgrade awaiting authentication that the customer withdrew.
    withdrawn = "withdrawn"
    # An upgrade whose charge waits on the customer's bank authentication.
    requires_action = "requires_action"
    # An upgrade whose authentication failed (or whose intent was canceled): never applied.
    failed = "failed"
    # An upgrade completed after the period it was priced for had ended: never applied.
    expired = "expired"


class BillingStatus:
    active = "active"
    past_due = "past_due"
    expired = "expired"
    canceled = "canceled"


def _renewal_due(now: datetime) -> ColumnElement[bool]:
    """A paid subscription whose period has ended and that renews: first at the period end,
    then at each dunning retry."""
    return and_(
        Subscription.type == SubscriptionType.paid.value,
        Subscription.product_id.is_not(None),
        or_(
            and_(
                Subscription.status == BillingStatus.active,
                Subscription.cancel_at_period_end.is_(False),
                Subscription.ends_at <= now,
            ),
            and_(
                Subscription.status == BillingStatus.past_due,
                Subscription.next_renewal_attempt_at <= now,
            ),
        ),
    )


def _ended_without_renewal(now: datetime) -> ColumnElement[bool]:
    """A paid subscription whose period has ended for good: canceled at its end, or granted
    by an admin (no product, so nothing to charge)."""
    return and_(
        Subscription.type == SubscriptionType.paid.value,
        Subscription.status == BillingStatus.active,
        Subscription.ends_at <= now,
        or_(Subscription.cancel_at_period_end.is_(True), Subscription.product_id.is_(None)),
    )


@dataclass(frozen=True)
class Refundable:
    """A payment an immediate cancel may give back, and how much of it is left."""

    order_id: uuid.UUID
    left_minor: int


class BillingRepository:
    async def subscription_for_update(
        self, session: AsyncSession, subscription_id: uuid.UUID
    ) -> Subscription | None:
        """Locked until commit: two changes of one subscription apply one after the other."""
        result = await session.execute(
            select(Subscription).where(Subscription.id == subscription_id).with_for_update()
        )
        return result.scalar_one_or_none()

    async def subscription(
        self, session: AsyncSession, subscription_id: uuid.UUID
    ) -> Subscription | None:
        return await session.get(Subscription, subscription_id)

    async def scheduled_changes(
        self, session: AsyncSession, subscription_id: uuid.UUID
    ) -> Sequence[SubscriptionChange]:
        result = await session.execute(
            select(SubscriptionChange)
            .where(
                SubscriptionChange.subscription_id == subscription_id,
                SubscriptionChange.status == ChangeStatus.scheduled,
            )
            .order_by(SubscriptionChange.effective_at)
        )
        return result.scalars().all()

    async def awaiting_upgrade(
        self, session: AsyncSession, subscription_id: uuid.UUID
    ) -> SubscriptionChange | None:
        """The subscription's upgrade awaiting the customer's authentication (one at most)."""
        result = await session.execute(
            select(SubscriptionChange).where(
                SubscriptionChange.subscription_id == subscription_id,
                SubscriptionChange.status == ChangeStatus.requires_action,
            )
        )
        return result.scalar_one_or_none()

    async def change_of(
        self, session: AsyncSession, subscription_id: uuid.UUID, change_id: uuid.UUID
    ) -> SubscriptionChange | None:
        """One change of the subscription (the caller has checked the subscription is the
        actor's, and holds it)."""
        result = await session.execute(
            select(SubscriptionChange)
            .where(
                SubscriptionChange.id == change_id,
                SubscriptionChange.subscription_id == subscription_id,
            )
            .execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()

    async def change_paid_by(
        self, session: AsyncSession, order_id: uuid.UUID
    ) -> SubscriptionChange | None:
        """The change the order pays (an upgrade), if it pays one."""
        result = await session.execute(
            select(SubscriptionChange)
            .where(SubscriptionChange.order_id == order_id)
            .execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()

    async def open_pause(
        self, session: AsyncSession, subscription_id: uuid.UUID, now: datetime
    ) -> SubscriptionChange | None:
        """The pause not over yet at `now` (scheduled, or under way)."""
        result = await session.execute(
            select(SubscriptionChange)
            .where(
                SubscriptionChange.subscription_id == subscription_id,
                SubscriptionChange.action == "pause",
                SubscriptionChange.status.in_((ChangeStatus.scheduled, ChangeStatus.applied)),
                SubscriptionChange.ends_at > now,
            )
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def pauses_starting_between(
        self, session: AsyncSession, subscription_id: uuid.UUID, start: datetime, end: datetime
    ) -> int:
        """Pauses of the subscription taken or scheduled that start in [start, end)."""
        count = await session.scalar(
            select(func.count())
            .select_from(SubscriptionChange)
            .where(
                SubscriptionChange.subscription_id == subscription_id,
                SubscriptionChange.action == "pause",
                SubscriptionChange.status.in_((ChangeStatus.scheduled, ChangeStatus.applied)),
                SubscriptionChange.effective_at >= start,
                SubscriptionChange.effective_at < end,
            )
        )
        return int(count or 0)

    def add_change(self, session: AsyncSession, change: SubscriptionChange) -> None:
        session.add(change)

    async def due_changes(
        self, session: AsyncSession, now: datetime, limit: int
    ) -> Sequence[SubscriptionChange]:
        """Scheduled downgrades due at `now`, skipping those another worker holds."""
        result = await session.execute(
            select(SubscriptionChange)
            .where(
                SubscriptionChange.status == ChangeStatus.scheduled,
                SubscriptionChange.action == "downgrade",
                SubscriptionChange.effective_at <= now,
            )
            .order_by(SubscriptionChange.effective_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return result.scalars().all()

    async def due_upgrades(
        self, session: AsyncSession, now: datetime, limit: int
    ) -> Sequence[tuple[uuid.UUID, uuid.UUID]]:
        """Scheduled upgrades due at `now`: (change, subscription) ids, earliest first."""
        result = await session.execute(
            select(SubscriptionChange.id, SubscriptionChange.subscription_id)
            .where(
                SubscriptionChange.status == ChangeStatus.scheduled,
                SubscriptionChange.action == "upgrade",
                SubscriptionChange.effective_at <= now,
            )
            .order_by(SubscriptionChange.effective_at)
            .limit(limit)
        )
        return [(change_id, subscription_id) for change_id, subscription_id in result.all()]

    async def lock_subscription(
        self, session: AsyncSession, subscription_id: uuid.UUID
    ) -> Subscription | None:
        """Locked until commit, or None while another transaction holds it (a billing run, or
        the customer changing it): the caller comes back to it on its next run."""
        result = await session.execute(
            select(Subscription)
            .where(Subscription.id == subscription_id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()

    async def due_renewal_ids(
        self, session: AsyncSession, now: datetime, limit: int
    ) -> Sequence[uuid.UUID]:
        result = await session.execute(
            select(Subscription.id)
            .where(_renewal_due(now))
            .order_by(Subscription.ends_at)
            .limit(limit)
        )
        return result.scalars().all()

    async def lock_due_renewal(
        self, session: AsyncSession, subscription_id: uuid.UUID, now: datetime
    ) -> Subscription | None:
        """The subscription if it is still due once locked; None if another scheduler holds it
        or renewed it meanwhile."""
        result = await session.execute(
            select(Subscription)
            .where(Subscription.id == subscription_id, _renewal_due(now))
            .with_for_update(skip_locked=True)
        )
        return result.scalar_one_or_none()

    async def ended_without_renewal(
        self, session: AsyncSession, now: datetime, limit: int
    ) -> Sequence[Subscription]:
        result = await session.execute(
            select(Subscription)
            .where(_ended_without_renewal(now))
            .order_by(Subscription.ends_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return result.scalars().all()

    async def saved_method(
        self, session: AsyncSession, user_id: uuid.UUID, provider: str
    ) -> str | None:
        """The provider's reference of the customer's newest saved method."""
        result = await session.execute(
            select(PaymentMethod.reference)
            .where(PaymentMethod.user_id == user_id, PaymentMethod.provider == provider)
            .order_by(PaymentMethod.created_at.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def is_saved_method(
        self, session: AsyncSession, user_id: uuid.UUID, provider: str, reference: str
    ) -> bool:
        found = await session.scalar(
            select(PaymentMethod.id).where(
                PaymentMethod.user_id == user_id,
                PaymentMethod.provider == provider,
                PaymentMethod.reference == reference,
            )
        )
        return found is not None

    async def order(self, session: AsyncSession, order_id: uuid.UUID) -> Order | None:
        return await session.get(Order, order_id)

    async def refundable_payments(
        self, session: AsyncSession, subscription_id: uuid.UUID, now: datetime
    ) -> list[Refundable]:
        """What an immediate cancel may give back: the payments of the period under way (its
        purchase or renewal, and the upgrades charged since it began), newest first, each with
        what is left of it after earlier refunds. An order paid before the period columns
        existed counts as the period's own."""
        refunded = (
            select(func.coalesce(func.sum(Refund.amount_minor), 0))
            .where(Refund.order_id == Order.id)
            .scalar_subquery()
        )
        rows = (
            await session.execute(
                select(
                    Order.id,
                    Order.paid_at,
                    Order.period_start,
                    Order.period_end,
                    Payment.amount_minor - refunded,
                )
                .join(Payment, Payment.order_id == Order.id)
                .where(Order.subscription_id == subscription_id, Order.status == "paid")
                .order_by(Order.paid_at.desc())
            )
        ).all()
        under_way = [start for _, _, start, end, _ in rows if start and end and end > now]
        if not under_way:
            # Orders older than their period columns: the latest payment alone, the purchase
            # or renewal of the period under way.
            return [Refundable(rows[0][0], int(rows[0][4]))] if rows and rows[0][4] > 0 else []
        since = min(under_way)
        return [
            Refundable(order_id, int(left))
            for order_id, paid_at, start, end, left in rows
            if left > 0
            and (
                (end is not None and end > now)
                or (start is None and paid_at is not None and paid_at >= since)
            )
        ]

    async def periods_paid(
        self, session: AsyncSession, subscription_id: uuid.UUID, now: datetime
    ) -> list[Order]:
        """The subscription's paid orders whose period has not ended at `now`, earliest first."""
        result = await session.scalars(
            select(Order)
            .where(
                Order.subscription_id == subscription_id,
                Order.status == "paid",
                Order.period_end > now,
            )
            .order_by(Order.period_start)
        )
        return list(result)

    async def periods_from(
        self, session: AsyncSession, subscription_id: uuid.UUID, at: datetime
    ) -> list[uuid.UUID]:
        """The subscription's paid periods under way at `at` or later: the last one begun by
        then and every one after it. Periods follow one another (a pause moves the next one's
        start), so an earlier period's grants have all ended by `at`."""
        paid = (Order.subscription_id == subscription_id) & (Order.status == "paid")
        begun = await session.scalar(
            select(Order.id)
            .where(paid, Order.period_start <= at, Order.period_end.is_not(None))
            .order_by(Order.period_start.desc())
            .limit(1)
        )
        later = await session.scalars(
            select(Order.id)
            .where(paid, Order.period_start > at, Order.period_end.is_not(None))
            .order_by(Order.period_start)
        )
        return ([begun] if begun is not None else []) + list(later)

    async def has_other_active(
        self, session: AsyncSession, subscription: Subscription, now: datetime
    ) -> bool:
        """Whether the subscription's customer has another subscription active at `now`."""
        found = await session.scalar(
            select(Subscription.id)
            .where(
                Subscription.user_id == subscription.user_id,
                Subscription.id != subscription.id,
                Subscription.starts_at <= now,
                Subscription.ends_at > now,
            )
            .limit(1)
        )
        return found is not None

    def add_order(self, session: AsyncSession, order: Order) -> None:
        session.add(order)


billing_repository = BillingRepository()
