"""Upgrades scheduled for a later day, charged and applied by the billing job when their day
comes, as Stripe's subscription schedules are: the customer's saved method charged off-session,
then the upgrade applied exactly as an immediate one is (the payment recorded, the invoice paid,
the target's entitlements, the months already paid topped up from the day it takes effect,
SubscriptionChanged recorded and the customer told).

The amounts are the ones quoted when it was scheduled: its invoice has the lines the customer
was shown (the target's remaining days from its day charged, the current product's credited),
whatever the products' prices are by then, and the tax by the rules of the invoice's day, as a
renewal's. Re-prorating on the day would count the same days anyway: the day it takes effect is
fixed, and the period's end cannot move while it is scheduled (it holds off every other change).

A decline fails it, and so does a bank asking for authentication, which nobody is there to give
off-session: nothing is applied, its order fails and its invoice is void, and the customer is
told to upgrade again from the app, where their bank can ask them to authenticate. An upgrade
whose period is no longer the subscription's (the job ran after the period end) is expired.

Each is charged in a transaction of its own, its subscription locked with SKIP LOCKED and the
change read again under the lock (still scheduled, and due), its order's id derived from the
change: with two billing runs at once, or a run tried again, it is charged and applied once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.catalog.products.service import product_service
from fitcoach.commerce.billing.applying import PaidUpgrade, apply_paid_upgrade
from fitcoach.commerce.billing.awaiting import still_priced
from fitcoach.commerce.billing.charges import (
    Bill,
    Billed,
    collect,
    give_up,
    off_session_method,
    open_bill,
    why_not_paid,
)
from fitcoach.commerce.billing.events import SUBJECT_TYPE
from fitcoach.commerce.billing.planning import upgrade_lines
from fitcoach.commerce.billing.proration import Proration
from fitcoach.commerce.billing.renewals import BATCH
from fitcoach.commerce.billing.repository import ChangeStatus, billing_repository
from fitcoach.commerce.billing.service import (
    Billing,
)
from fitcoach.commerce.payments.providers import CaptureOutcome
from fitcoach.models import Subscription, SubscriptionChange
from fitcoach.models.enums import NotificationCategory
from fitcoach.notifications.service import NotificationRequest, notification_service

_UPGRADE_ORDERS = uuid.UUID("0e6d2b9a-4f3c-4a71-8d5e-93c1f7a2b648")
UPGRADED, FAILED = "upgraded", "failed"


@dataclass(frozen=True)
class _Due:
    subscription: Subscription
    change: SubscriptionChange


def scheduled_upgrade_order_id(change_id: uuid.UUID) -> uuid.UUID:
    """One order per scheduled upgrade, whichever run charges it."""
    return uuid.uuid5(_UPGRADE_ORDERS, str(change_id))


async def apply_due_upgrades(
    sessionmaker: async_sessionmaker[AsyncSession], billing: Billing
) -> list[str]:
    """Every scheduled upgrade due at `billing.now`, each in a transaction of its own:
    "upgraded" or "failed" for each one this run settled."""
    async with sessionmaker() as session:
        due = await billing_repository.due_upgrades(session, billing.now, BATCH)
    outcomes: list[str] = []
    for change_id, subscription_id in due:
        async with sessionmaker() as session, session.begin():
            outcome = await upgrade_one(session, billing, subscription_id, change_id)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


async def upgrade_one(
    session: AsyncSession, billing: Billing, subscription_id: uuid.UUID, change_id: uuid.UUID
) -> str | None:
    """Charge and apply one due upgrade; None when another run holds it or settled it, or the
    customer withdrew it meanwhile."""
    now = billing.now
    subscription = await billing_repository.lock_subscription(session, subscription_id)
    if subscription is None:
        return None
    change = await billing_repository.change_of(session, subscription_id, change_id)
    if change is None or change.status != ChangeStatus.scheduled or change.effective_at > now:
        return None
    due = _Due(subscription, change)
    if change.target_product_id is None or not still_priced(change, subscription, now):
        change.status = ChangeStatus.expired
        reason = "Its period or its product was gone by its day; nothing was charged."
        await _failed(session, due, reason, now)
        return FAILED
    billed = await _open(session, billing, due)
    change.order_id = billed.order.id
    method = await off_session_method(
        session, subscription.user_id, billing.provider.name, change.payment_method
    )
    if method is None:
        reason = "No saved payment method to pay it with."
    else:
        result = await collect(session, billing.provider, billed, method, now, off_session=True)
        if result.outcome is CaptureOutcome.succeeded:
            await _apply(session, due, billed, billing)
            return UPGRADED
        reason = why_not_paid(result)
    give_up(billed)
    change.status = ChangeStatus.failed
    await _failed(session, due, reason, now)
    return FAILED


async def _open(session: AsyncSession, billing: Billing, due: _Due) -> Billed:
    """The upgrade's order and invoice, with the lines it was quoted with."""
    change, subscription = due.change, due.subscription
    assert change.target_product_id is not None
    assert subscription.product_id is not None, "only a bought subscription is upgraded"
    target = await product_service.stored(session, change.target_product_id)
    current = await product_service.stored(session, subscription.product_id)
    quoted = Proration(
        remaining_days=change.remaining_days or 0,
        credit_minor=change.credit_minor,
        charge_minor=change.prorated_charge_minor or 0,
    )
    bill = Bill(
        subscription,
        target.id,
        target.currency,
        upgrade_lines(current, target, quoted),
        billing.tax,
    )
    return await open_bill(
        session, billing.provider, bill, scheduled_upgrade_order_id(change.id), billing.now
    )


async def _apply(session: AsyncSession, due: _Due, billed: Billed, billing: Billing) -> None:
    """As an immediate upgrade applies, from the day it was scheduled for: the sessions of
    the months already paid are topped up from then, as its quote showed."""
    due.change.charge_minor = billed.order.total_minor
    upgrade = PaidUpgrade(due.subscription, due.change, billed)
    await apply_paid_upgrade(session, None, upgrade, billing.now)


async def _failed(session: AsyncSession, due: _Due, reason: str, now: datetime) -> None:
    """Audited, and the customer told: their subscription is as it was."""
    subscription, change = due.subscription, due.change
    audit_service.record(
        session,
        AuditEvent(
            action="subscription.upgrade_failed",
            resource_type=SUBJECT_TYPE,
            resource_id=subscription.id,
            details={"changeId": str(change.id), "status": change.status, "reason": reason},
        ),
        now,
    )
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=subscription.user_id,
            # The customer must act to get the upgrade: e-mail too by default, as a failed
            # renewal.
            category=NotificationCategory.account,
            title="Your scheduled upgrade was not applied",
            body=f"{reason} Your subscription is unchanged: upgrade again from the app.",
            data={"subscriptionId": str(subscription.id), "changeId": str(change.id)},
            dedupe_key=f"commerce.scheduled_upgrade_failed:{change.id}",
        ),
        now,
    )
    await session.flush()
