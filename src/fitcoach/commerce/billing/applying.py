"""Applying an upgrade whose charge was paid after it was asked for: completed after the
customer's bank authentication (completion.py), or charged on the day it was scheduled for
(scheduled.py). Either way it is applied as an immediate upgrade is, from `change.effective_at`:
the target's entitlements, the months already paid topped up from then, the change applied and
SubscriptionChanged recorded with the amounts it was priced with."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.catalog.products.service import product_service
from fitcoach.commerce.billing.awaiting import frozen_plan
from fitcoach.commerce.billing.charges import Billed
from fitcoach.commerce.billing.repository import ChangeStatus
from fitcoach.commerce.billing.service import (
    ChangeOutcome,
    Upgraded,
    paid_spans,
    set_entitlements,
    subscription_change_service,
)
from fitcoach.commerce.billing.sessions import upgrade_top_ups
from fitcoach.models import Actor, Subscription, SubscriptionChange
from fitcoach.notifications.quiet_hours import zone_of
from fitcoach.users.service import user_service


@dataclass(frozen=True)
class PaidUpgrade:
    """An upgrade whose order is paid: its subscription (held), the change and its bill."""

    subscription: Subscription
    change: SubscriptionChange
    bill: Billed


async def apply_paid_upgrade(
    session: AsyncSession, actor: Actor | None, upgrade: PaidUpgrade, now: datetime
) -> ChangeOutcome:
    """Apply `upgrade` from its change's `effective_at`, recorded at `now` by `actor` (None:
    the customer, as when the billing job applies it on its day)."""
    subscription, change, bill = upgrade.subscription, upgrade.change, upgrade.bill
    assert bill.order.product_id is not None, "an upgrade's order names its target"
    target = await product_service.stored(session, bill.order.product_id)
    customer = await user_service.get(session, subscription.user_id)
    sessions_before = subscription.sessions_per_month
    top_ups = upgrade_top_ups(
        await paid_spans(session, subscription, change.effective_at),
        target.sessions_per_month - sessions_before,
        change.effective_at,
        zone_of(customer.time_zone),
    )
    set_entitlements(subscription, target)
    change.status = ChangeStatus.applied
    plan = replace(frozen_plan(change, target, bill.invoice), sessions_added=top_ups)
    upgraded = Upgraded(bill.order.id, target.title, sessions_before, target.sessions_per_month)
    outcome = ChangeOutcome(plan, subscription, change, bill)
    subscription_change_service.record_change(session, actor or customer, outcome, upgraded, now)
    await session.flush()
    return outcome
