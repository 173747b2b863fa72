"""What a purchase gives scheduling: a paid order's product grants its sessions per month, one
grant per month of the period paid, each usable in its own month only (sessions do not roll
over). The grant's source names the order and the month, so a redelivered `OrderPaid` grants
nothing twice."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.commerce.events import OrderPaid
from fitcoach.scheduling.entitlements.service import Grant, entitlement_service
from fitcoach.worker.registry import on_event


@on_event(OrderPaid, name="scheduling.grant_purchased_sessions")
async def grant_purchased_sessions(session: AsyncSession, event: OrderPaid) -> None:
    if event.sessions_per_month <= 0:
        return
    month = 0
    start = event.period_start
    while start < event.period_end:
        end = min(event.period_start + relativedelta(months=month + 1), event.period_end)
        grant = Grant(
            customer_id=event.user_id,
            sessions=event.sessions_per_month,
            valid_from=start,
            valid_until=end,
            reason=f"{event.product_title}: sessions of month {month + 1}",
            source=f"order:{event.order_id}:{month + 1}",
        )
        await entitlement_service.grant(session, grant, None, event.occurred_at)
        month += 1
        start = end
