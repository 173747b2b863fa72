"""An upgrade awaiting the customer's bank authentication, as kept between the change that asked
for it and its completion: the plan it was priced with, frozen (the amount the bank is asked to
authorise is the amount charged), whether that plan still holds, and giving it up.

The frozen amounts hold for the intent's life as long as the period they were prorated over is
still the subscription's current one: re-pricing a later day would need a new intent and a new
authentication for the difference of a day's price. Once that period is over (the renewal job
gives the upgrade up when it charges the next one), completing it is refused, and a payment the
provider still reports for it is refunded in full."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.commerce.billing.charges import Billed, give_up
from fitcoach.commerce.billing.planning import ChangeAction, ChangePlan, entitlements_of
from fitcoach.commerce.billing.proration import Proration
from fitcoach.commerce.billing.repository import BillingStatus, billing_repository
from fitcoach.commerce.invoices.service import invoice_service
from fitcoach.models import Invoice, Product, Subscription, SubscriptionChange


def frozen_plan(change: SubscriptionChange, product: Product, invoice: Invoice) -> ChangePlan:
    """The upgrade's plan as priced when it was asked for: its invoice holds the new product's
    days charged and the old one's credited (subtotal = charge - credit) and the tax."""
    assert change.ends_at is not None, "an upgrade keeps the period end it was priced for"
    return ChangePlan(
        action=ChangeAction.upgrade,
        effective_at=change.effective_at,
        applies_now=True,
        period_ends_at=change.ends_at,
        product_id=product.id,
        entitlements=entitlements_of(product),
        currency=invoice.currency,
        proration=Proration(
            remaining_days=change.remaining_days or 0,
            credit_minor=change.credit_minor,
            charge_minor=invoice.subtotal_minor + change.credit_minor,
        ),
        amount_due_minor=change.charge_minor,
        tax_minor=invoice.tax_minor,
    )


def still_priced(change: SubscriptionChange, subscription: Subscription, now: datetime) -> bool:
    """Whether the period the upgrade was prorated over is still the subscription's current
    one, and the subscription still active in it."""
    return (
        subscription.status == BillingStatus.active
        and change.ends_at is not None
        and subscription.ends_at == change.ends_at
        and now < change.ends_at
    )


async def bill_of(session: AsyncSession, change: SubscriptionChange) -> Billed:
    """The order paying the upgrade, and its invoice."""
    assert change.order_id is not None, "an upgrade is paid by an order"
    order = await billing_repository.order(session, change.order_id)
    assert order is not None, "orders are never deleted"
    return Billed(order, await invoice_service.of_order(session, order.id))


async def drop_awaiting(session: AsyncSession, change: SubscriptionChange, status: str) -> None:
    """The upgrade will not be applied (`status` says why): its order failed, its invoice void.
    The subscription never changed, so nothing else is undone; a success the provider reports
    later is refunded (completion.py)."""
    change.status = status
    give_up(await bill_of(session, change))
    await session.flush()
