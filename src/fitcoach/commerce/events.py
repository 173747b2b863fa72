"""The events commerce publishes. Other domains subscribe (scheduling keeps its session
entitlements from OrderPaid); the payloads are their contract, versioned."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from fitcoach.worker.events import DomainEvent


class OrderPaid(DomainEvent):
    """An order for a product was paid: its subscription now covers [period_start, period_end)
    with the product's entitlements. Subject: the order. (A session's drop-in place is
    DropInPaid: it buys no subscription and grants no entitlement.)"""

    type: ClassVar[str] = "commerce.order_paid"
    version: ClassVar[int] = 1

    order_id: uuid.UUID
    invoice_id: uuid.UUID
    user_id: uuid.UUID
    product_id: uuid.UUID
    product_title: str
    coach_id: uuid.UUID
    subscription_id: uuid.UUID
    period_start: datetime
    period_end: datetime
    amount_minor: int
    currency: str
    sessions_per_month: int
    custom_plans: bool


class DropInPaid(DomainEvent):
    """An order for one place in a session was paid and the customer booked into it (scheduling
    publishes the booking too). Subject: the order."""

    type: ClassVar[str] = "commerce.drop_in_paid"
    version: ClassVar[int] = 1

    order_id: uuid.UUID
    invoice_id: uuid.UUID
    user_id: uuid.UUID
    session_id: uuid.UUID
    amount_minor: int
    currency: str


class RefundIssued(DomainEvent):
    """Money was given back on an order. Subject: the refund."""

    type: ClassVar[str] = "commerce.refund_issued"
    version: ClassVar[int] = 1

    refund_id: uuid.UUID
    order_id: uuid.UUID
    user_id: uuid.UUID
    amount_minor: int
    currency: str
    credit_note_number: str
    fully_refunded: bool


class PaymentNoticeReceived(DomainEvent):
    """A payment provider's webhook told us of an outcome, recorded in the webhook's own
    transaction and applied (idempotently) by commerce's handler. `kind` is the provider's
    event type (Stripe's names: payment_intent.succeeded, payment_intent.payment_failed,
    charge.refunded, charge.dispute.created). Subject: the provider's event."""

    type: ClassVar[str] = "commerce.payment_notice_received"
    version: ClassVar[int] = 1

    provider: str
    kind: str
    intent_id: str | None
    charge_id: str | None
    payment_method: str | None
    # Every refund of the charge so far (the provider's id, the amount), for charge.refunded.
    refunds: list[tuple[str, int]]
    # The provider's words: a failure's message, or a dispute's reason.
    reason: str | None
