"""What a purchase gives scheduling: a paid order's product (or a paid renewal of it) grants its
sessions per month, one grant per month of the period paid, each usable in its own month only
(sessions do not roll over). An upgrade tops up the months already paid with the sessions its
plan computed (`commerce.billing.sessions`: the month under way prorated by its days left, the
later months whole). A grant's source names the order (and for a top-up, the upgrade's charge)
and the month, so a redelivered `OrderPaid`, `SubscriptionRenewed` or `SubscriptionChanged`
grants nothing twice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.commerce.billing.events import SubscriptionChanged, SubscriptionRenewed
from fitcoach.commerce.billing.sessions import paid_months
from fitcoach.commerce.events import OrderPaid
from fitcoach.scheduling.entitlements.service import Grant, entitlement_service
from fitcoach.worker.registry import on_event


@dataclass(frozen=True)
class _PaidPeriod:
    customer_id: uuid.UUID
    order_id: uuid.UUID
    product_title: str
    sessions_per_month: int
    start: datetime
    end: datetime


async def _grant_months(session: AsyncSession, paid: _PaidPeriod, now: datetime) -> None:
    if paid.sessions_per_month <= 0:
        return
    for month, (start, end) in enumerate(paid_months(paid.start, paid.end), start=1):
        grant = Grant(
            customer_id=paid.customer_id,
            sessions=paid.sessions_per_month,
            valid_from=start,
            valid_until=end,
            reason=f"{paid.product_title}: sessions of month {month}",
            source=f"order:{paid.order_id}:{month}",
        )
        await entitlement_service.grant(session, grant, None, now)


@on_event(OrderPaid, name="scheduling.grant_purchased_sessions")
async def grant_purchased_sessions(session: AsyncSession, event: OrderPaid) -> None:
    paid = _PaidPeriod(
        event.user_id,
        event.order_id,
        event.product_title,
        event.sessions_per_month,
        event.period_start,
        event.period_end,
    )
    await _grant_months(session, paid, event.occurred_at)


@on_event(SubscriptionRenewed, name="scheduling.grant_renewed_sessions")
async def grant_renewed_sessions(session: AsyncSession, event: SubscriptionRenewed) -> None:
    paid = _PaidPeriod(
        event.user_id,
        event.order_id,
        event.product_title,
        event.sessions_per_month,
        event.period_start,
        event.ends_at,
    )
    await _grant_months(session, paid, event.occurred_at)


@on_event(SubscriptionChanged, name="scheduling.grant_upgraded_sessions")
async def grant_upgraded_sessions(session: AsyncSession, event: SubscriptionChanged) -> None:
    """Only an upgrade adds sessions; a downgrade or a cancel takes none back (a downgrade is
    not refunded, and a cancel's refund is of the period's money, not its sessions)."""
    for added in event.sessions_added:
        grant = Grant(
            customer_id=event.user_id,
            sessions=added.sessions,
            valid_from=added.valid_from,
            valid_until=added.valid_until,
            reason=f"{event.product_title}: upgrade, sessions of month {added.month}",
            # The upgrade's charge and the month of the period it tops up: two upgrades of one
            # period, or of two periods paid ahead, never share a source.
            source=f"upgrade:{event.order_id}:{added.order_id}:{added.month}",
        )
        await entitlement_service.grant(session, grant, None, event.occurred_at)
