"""Charging for a subscription outside checkout: an upgrade's proration (the customer present)
and a renewal (a saved method, the customer away). Each makes an order for the product and its
invoice, captures through the provider and, once paid, records the payment, as checkout does."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.commerce.billing.repository import billing_repository
from fitcoach.commerce.invoices.pricing import LineItem, TaxPolicy, totals_of
from fitcoach.commerce.invoices.service import InvoiceDraft, invoice_service
from fitcoach.commerce.orders.service import OrderStatus
from fitcoach.commerce.payments.providers import (
    CaptureOutcome,
    CaptureRequest,
    CaptureResult,
    IntentRequest,
    PaymentProvider,
)
from fitcoach.commerce.payments.service import Capture, payment_service
from fitcoach.models import Invoice, Order, Subscription

VOID = "void"  # a renewal invoice given up on


@dataclass(frozen=True)
class Bill:
    """What to charge a subscription's customer for: the lines of `product_id`'s order."""

    subscription: Subscription
    product_id: uuid.UUID
    currency: str
    lines: Sequence[LineItem]
    tax: TaxPolicy


@dataclass(frozen=True)
class Billed:
    order: Order
    invoice: Invoice


async def open_bill(
    session: AsyncSession, provider: PaymentProvider, bill: Bill, order_id: uuid.UUID, now: datetime
) -> Billed:
    """The bill's order and invoice, made once: an order id already used (a renewal tried
    again) gives its order and invoice back."""
    existing = await billing_repository.order(session, order_id)
    if existing is not None:
        return Billed(existing, await invoice_service.of_order(session, order_id))
    total = totals_of(bill.lines, bill.tax).total
    intent = await provider.create_intent(IntentRequest(order_id, total, bill.currency))
    order = Order(
        id=order_id,
        user_id=bill.subscription.user_id,
        product_id=bill.product_id,
        addon_ids=[],
        status=OrderStatus.pending,
        currency=bill.currency,
        total_minor=total,
        provider=provider.name,
        intent_id=intent.id,
        client_secret=intent.client_secret,
        subscription_id=bill.subscription.id,
    )
    billing_repository.add_order(session, order)
    await session.flush()
    invoice = await invoice_service.issue(
        session,
        InvoiceDraft(order_id, bill.subscription.user_id, bill.currency, bill.lines, bill.tax),
        now,
    )
    return Billed(order, invoice)


async def collect(
    session: AsyncSession,
    provider: PaymentProvider,
    billed: Billed,
    payment_method: str,
    now: datetime,
    *,
    off_session: bool,
) -> CaptureResult:
    """Capture the order's total; when it succeeds, the payment is recorded and the order and
    invoice are paid."""
    order = billed.order
    result = await provider.capture(
        CaptureRequest(
            intent_id=order.intent_id,
            amount_minor=order.total_minor,
            currency=order.currency,
            payment_method=payment_method,
            after_action=False,
            off_session=off_session,
        )
    )
    if result.outcome is not CaptureOutcome.succeeded:
        return result
    assert result.charge_id is not None
    await record_capture(
        session,
        billed,
        capture_of(billed.order, (provider.name, result.charge_id), payment_method),
        now,
    )
    return result


async def off_session_method(
    session: AsyncSession, user_id: uuid.UUID, provider: str, chosen: str | None
) -> str | None:
    """What a charge made with the customer away pays with: the method they chose while it is
    still among their saved ones (only a saved method can be charged off-session), else their
    newest saved method; None when they have none."""
    if chosen is not None and await billing_repository.is_saved_method(
        session, user_id, provider, chosen
    ):
        return chosen
    return await billing_repository.saved_method(session, user_id, provider)


def capture_of(order: Order, charge: tuple[str, str], payment_method: str) -> Capture:
    """The order's total captured as `charge` (the provider's name, its charge id)."""
    provider, charge_id = charge
    return Capture(
        order_id=order.id,
        user_id=order.user_id,
        provider=provider,
        charge_id=charge_id,
        payment_method=payment_method,
        amount_minor=order.total_minor,
        currency=order.currency,
    )


async def record_capture(
    session: AsyncSession, billed: Billed, capture: Capture, now: datetime
) -> None:
    """The payment recorded, the order and its invoice paid."""
    payment_service.record(session, capture, now)
    billed.order.status = OrderStatus.paid
    billed.order.paid_at = now
    invoice_service.settle(billed.invoice, now)
    await session.flush()


def give_up(billed: Billed) -> None:
    """An order that will not be paid: failed, its invoice void."""
    billed.order.status = OrderStatus.failed
    billed.invoice.status = VOID


def why_not_paid(result: CaptureResult) -> str:
    """The provider's reason, or why an off-session charge cannot go on."""
    if result.outcome is CaptureOutcome.requires_action:
        return "The bank asks for your authentication, which a renewal cannot ask for."
    return result.decline_reason or "The payment was declined."
