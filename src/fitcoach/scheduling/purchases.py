"""What a purchase gives scheduling: a paid order's product (or a paid renewal of it) grants its
sessions per month, one grant per month of the period paid, each usable in its own month only
(sessions do not roll over). The grant's source names the order and the month, so a redelivered
`OrderPaid` or `SubscriptionRenewed` grants nothing twice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.commerce.billing.events import SubscriptionRenewed
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
    month = 0
    start = paid.start
    while start < paid.end:
        end = min(paid.start + relativedelta(months=month + 1), paid.end)
        grant = Grant(
            customer_id=paid.customer_id,
            sessions=paid.sessions_per_month,
            valid_from=start,
            valid_until=end,
            reason=f"{paid.product_title}: sessions of month {month + 1}",
            source=f"order:{paid.order_id}:{month + 1}",
        )
        await entitlement_service.grant(session, grant, None, now)
        month += 1
        start = end


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
