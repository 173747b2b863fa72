"""Renewals and dunning. At a paid subscription's period end the billing job (job.py) charges
the customer's saved method off-session, with a renewal order and invoice; paid, the period is
extended by the product's length. A failure makes the subscription past due (the customer keeps
access meanwhile) and is retried 1, 3, 5 and 7 days after the period end, each failure telling
the customer (e-mail and push, through the notifications service); after the last one the
subscription expires. A paid subscription that ends (expired, canceled, or an admin's grant run
out) leaves the customer on the free terms: a free subscription of the business's free days,
so they see the default plans (auth-flow-update.md: free -> default plans).

Each subscription renews in a transaction of its own, its row locked with SKIP LOCKED and the
due condition checked again under the lock, and its renewal order's id derives from the
subscription and the period: with two schedulers (or two runs), a period is charged once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.catalog.products.service import product_service
from fitcoach.commerce.billing.awaiting import drop_awaiting
from fitcoach.commerce.billing.charges import Bill, collect, give_up, open_bill, why_not_paid
from fitcoach.commerce.billing.events import (
    SUBJECT_TYPE,
    RenewalFailed,
    SubscriptionEnded,
    SubscriptionRenewed,
)
from fitcoach.commerce.billing.repository import BillingStatus, ChangeStatus, billing_repository
from fitcoach.commerce.invoices.pricing import LineItem, LineKind, TaxPolicy
from fitcoach.commerce.orders.service import OrderStatus
from fitcoach.commerce.payments.providers import CaptureOutcome, PaymentProvider
from fitcoach.models import Order, Product, Subscription
from fitcoach.subscriptions.service import subscription_service
from fitcoach.worker.events import record_event

# When a failed renewal is tried again, in days after the period end; then it expires.
RETRY_DAYS = (1, 3, 5, 7)
# Access while past due lasts past the last retry, so that retry still finds it active.
GRACE = timedelta(days=RETRY_DAYS[-1], hours=12)
_RENEWAL_ORDERS = uuid.UUID("5b0f3c1e-7d2a-4c8e-9f6b-2a4d8e1c3b70")
BATCH = 100


def renewal_order_id(subscription_id: uuid.UUID, period_end: datetime) -> uuid.UUID:
    """One order per subscription and period, whichever worker charges it."""
    return uuid.uuid5(_RENEWAL_ORDERS, f"{subscription_id}:{period_end.isoformat()}")


async def fall_back_to_free(
    session: AsyncSession, subscription: Subscription, reason: str, now: datetime
) -> None:
    """The paid subscription has ended: unless another subscription still covers the customer,
    they are put on the free terms, and told."""
    free_until = now
    if not await billing_repository.has_other_active(session, subscription, now):
        free = await subscription_service.start_free_trial(session, subscription.user_id, now)
        free_until = free.ends_at
    audit_service.record(
        session,
        AuditEvent(
            action=f"subscription.{reason}",
            resource_type=SUBJECT_TYPE,
            resource_id=subscription.id,
            details={"userId": str(subscription.user_id)},
        ),
        now,
    )
    record_event(
        session,
        SubscriptionEnded(
            occurred_at=now,
            actor_id=None,
            subject_type=SUBJECT_TYPE,
            subject_id=str(subscription.id),
            subscription_id=subscription.id,
            user_id=subscription.user_id,
            reason=reason,
            free_until=free_until,
        ),
    )


def _extend(subscription: Subscription, product: Product, period_end: datetime) -> None:
    subscription.ends_at = period_end + timedelta(days=product.duration_weeks * 7)
    subscription.days = round((subscription.ends_at - subscription.starts_at) / timedelta(days=1))
    subscription.status = BillingStatus.active
    subscription.renewal_period_end = None
    subscription.next_renewal_attempt_at = None
    subscription.renewal_attempts = 0


async def renew_one(
    session: AsyncSession,
    provider: PaymentProvider,
    tax: TaxPolicy,
    subscription_id: uuid.UUID,
    now: datetime,
) -> str | None:
    """Charge one due subscription: "renewed", "failed" or "expired"; None when it is no
    longer due (another scheduler holds or renewed it)."""
    subscription = await billing_repository.lock_due_renewal(session, subscription_id, now)
    if subscription is None:
        return None
    assert subscription.product_id is not None
    awaiting = await billing_repository.awaiting_upgrade(session, subscription.id)
    if awaiting is not None:
        # Its amounts were prorated up to this period end: whatever the renewal's outcome, the
        # upgrade can no longer be applied as priced, so it no longer holds the subscription.
        await drop_awaiting(session, awaiting, ChangeStatus.expired)
    period_end = subscription.renewal_period_end or subscription.ends_at
    product = await product_service.stored(session, subscription.product_id)
    line = LineItem(LineKind.product, f"{product.title}: renewal", product.price_minor)
    billed = await open_bill(
        session,
        provider,
        Bill(subscription, product.id, product.currency, (line,), tax),
        renewal_order_id(subscription.id, period_end),
        now,
    )
    method = await billing_repository.saved_method(session, subscription.user_id, provider.name)
    if method is None:
        reason = "No saved payment method to renew with."
    else:
        result = await collect(session, provider, billed, method, now, off_session=True)
        if result.outcome is CaptureOutcome.succeeded:
            _extend(subscription, product, period_end)
            billed.order.period_start, billed.order.period_end = period_end, subscription.ends_at
            _renewed(session, subscription, billed.order, (product, period_end), now)
            return "renewed"
        reason = why_not_paid(result)
    attempt = subscription.renewal_attempts + 1
    subscription.renewal_attempts = attempt
    next_attempt = (
        period_end + timedelta(days=RETRY_DAYS[attempt - 1]) if attempt <= len(RETRY_DAYS) else None
    )
    record_event(
        session,
        RenewalFailed(
            occurred_at=now,
            actor_id=None,
            subject_type=SUBJECT_TYPE,
            subject_id=str(subscription.id),
            subscription_id=subscription.id,
            user_id=subscription.user_id,
            attempt=attempt,
            reason=reason,
            next_attempt_at=next_attempt,
        ),
    )
    if next_attempt is not None:
        subscription.status = BillingStatus.past_due
        subscription.renewal_period_end = period_end
        subscription.next_renewal_attempt_at = next_attempt
        subscription.ends_at = period_end + GRACE
        billed.order.status = OrderStatus.past_due
        await session.flush()
        return "failed"
    subscription.status = BillingStatus.expired
    subscription.next_renewal_attempt_at = None
    subscription.ends_at = now
    give_up(billed)
    await session.flush()
    await fall_back_to_free(session, subscription, "expired", now)
    return "expired"


def _renewed(
    session: AsyncSession,
    subscription: Subscription,
    order: Order,
    renewed: tuple[Product, datetime],
    now: datetime,
) -> None:
    product, period_start = renewed
    audit_service.record(
        session,
        AuditEvent(
            action="subscription.renewed",
            resource_type=SUBJECT_TYPE,
            resource_id=subscription.id,
            details={"orderId": str(order.id), "amount": order.total_minor},
        ),
        now,
    )
    record_event(
        session,
        SubscriptionRenewed(
            occurred_at=now,
            actor_id=None,
            subject_type=SUBJECT_TYPE,
            subject_id=str(subscription.id),
            subscription_id=subscription.id,
            user_id=subscription.user_id,
            order_id=order.id,
            amount_minor=order.total_minor,
            currency=order.currency,
            period_start=period_start,
            ends_at=subscription.ends_at,
            product_title=product.title,
            sessions_per_month=product.sessions_per_month,
        ),
    )


async def apply_due_downgrades(session: AsyncSession, now: datetime) -> int:
    """Scheduled downgrades whose day has come: the subscription takes the product's
    entitlements (and renews at its price)."""
    changes = await billing_repository.due_changes(session, now, BATCH)
    for change in changes:
        subscription = await billing_repository.subscription_for_update(
            session, change.subscription_id
        )
        if change.target_product_id is None or subscription is None:
            change.status = ChangeStatus.withdrawn
            continue
        product = await product_service.stored(session, change.target_product_id)
        subscription.product_id = product.id
        subscription.sessions_per_month = product.sessions_per_month
        subscription.custom_training_plan = product.custom_training_plan
        subscription.custom_diet_plan = product.custom_diet_plan
        subscription.chat_access = product.chat_access
        change.status = ChangeStatus.applied
    await session.flush()
    return len(changes)


async def end_lapsed(session: AsyncSession, now: datetime) -> int:
    """Paid subscriptions whose period ended without a renewal to try (canceled at the period
    end, or an admin's grant): ended, the customer back on the free terms."""
    lapsed = await billing_repository.ended_without_renewal(session, now, BATCH)
    for subscription in lapsed:
        canceled = subscription.cancel_at_period_end
        subscription.status = BillingStatus.canceled if canceled else BillingStatus.expired
        for change in await billing_repository.scheduled_changes(session, subscription.id):
            change.status = ChangeStatus.applied
        await fall_back_to_free(session, subscription, "canceled" if canceled else "expired", now)
    await session.flush()
    return len(lapsed)
