"""Commerce: orders, their invoices (numbered without gaps, with lines), the payments that
settled them and the customers' saved payment methods. Every amount is integer minor units of
the order's currency (ISO 4217)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fitcoach.db.base import Base, IdMixin, TimestampMixin

# Orders a customer can still pay: at most one per customer and product (or session).
OPEN_ORDER = "status IN ('pending', 'requires_action')"
# A checkout's open order: one that pays a subscription change (made with the subscription's
# id) is not the customer's order for the product, and never collides with one.
OPEN_CHECKOUT = f"{OPEN_ORDER} AND subscription_id IS NULL"


class Order(IdMixin, TimestampMixin, Base):
    """An order for a product (a paid subscription) or for one place in a session (a drop-in:
    `session_id`, no subscription)."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("(product_id IS NULL) <> (session_id IS NULL)", name="one_item"),
        Index("ix_orders_user_created", "user_id", "created_at"),
        Index("ix_orders_created", "created_at"),
        Index(
            "uq_orders_open_user_product",
            "user_id",
            "product_id",
            unique=True,
            sqlite_where=text(OPEN_CHECKOUT),
            postgresql_where=text(OPEN_CHECKOUT),
        ),
        Index(
            "uq_orders_open_user_session",
            "user_id",
            "session_id",
            unique=True,
            sqlite_where=text(OPEN_ORDER),
            postgresql_where=text(OPEN_ORDER),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("products.id", ondelete="RESTRICT"), index=True
    )
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("scheduled_sessions.id", ondelete="RESTRICT"), index=True
    )
    addon_ids: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int]
    provider: Mapped[str] = mapped_column(String(16))
    intent_id: Mapped[str] = mapped_column(String(255), unique=True)
    client_secret: Mapped[str] = mapped_column(String(255))
    paid_at: Mapped[datetime | None]
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL")
    )
    promo_code_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("promo_codes.id", ondelete="RESTRICT"), index=True
    )
    # The period of the subscription the order paid for (a purchase or a renewal; None for an
    # upgrade's proration or a drop-in): its sessions were granted month by month from
    # period_start, and an upgrade tops those months up.
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]


class PromoCode(IdMixin, TimestampMixin, Base):
    """A discount: `percent_off` percent, or `amount_off_minor` of `currency`, on orders of
    `product_ids` (every product when empty). `redemptions` counts the paid orders that used
    it, changed only while its row is locked by the paying transaction."""

    __tablename__ = "promo_codes"
    __table_args__ = (
        UniqueConstraint("code"),
        Index("ix_promo_codes_created", "created_at"),
        CheckConstraint(
            "(percent_off IS NULL) <> (amount_off_minor IS NULL)", name="one_kind_of_discount"
        ),
        CheckConstraint("redemptions >= 0", name="redemptions_non_negative"),
    )

    code: Mapped[str] = mapped_column(String(32))
    percent_off: Mapped[int | None]
    amount_off_minor: Mapped[int | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    valid_from: Mapped[datetime | None]
    valid_to: Mapped[datetime | None]
    product_ids: Mapped[list[str]] = mapped_column(JSON)
    first_order_only: Mapped[bool]
    max_redemptions: Mapped[int | None]
    max_per_customer: Mapped[int | None]
    active: Mapped[bool]
    redemptions: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set on a code offered to one customer (an automation's offer): no one else can use it.
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None
    )


class PromoRedemption(IdMixin, TimestampMixin, Base):
    """A paid order that used a promo code."""

    __tablename__ = "promo_redemptions"
    __table_args__ = (Index("ix_promo_redemptions_code_user", "promo_code_id", "user_id"),)

    promo_code_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("promo_codes.id", ondelete="RESTRICT")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="RESTRICT"), unique=True
    )
    redeemed_at: Mapped[datetime]


class InvoiceCounter(TimestampMixin, Base):
    """The last invoice number issued per series. Taken by an UPDATE that holds the row until
    the invoice's transaction ends, so numbers are sequential and a rollback leaves no gap."""

    __tablename__ = "invoice_counters"

    series: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_number: Mapped[int]


class Invoice(IdMixin, TimestampMixin, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("number"),
        Index("ix_invoices_user_created", "user_id", "created_at"),
        Index("ix_invoices_created", "created_at"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="RESTRICT"), unique=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    number: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_minor: Mapped[int]
    discount_minor: Mapped[int]
    tax_minor: Mapped[int]
    total_minor: Mapped[int]
    tax_rate_basis_points: Mapped[int]
    tax_inclusive: Mapped[bool]
    issued_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]

    lines: Mapped[list[InvoiceLine]] = relationship(
        cascade="all, delete-orphan", order_by="InvoiceLine.position", lazy="raise"
    )
    refunds: Mapped[list[Refund]] = relationship(order_by="Refund.created_at", lazy="raise")


class InvoiceLine(IdMixin, TimestampMixin, Base):
    """A product, add-on or discount line; a discount's amount is negative."""

    __tablename__ = "invoice_lines"

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int]


class Payment(IdMixin, TimestampMixin, Base):
    """Money a provider captured for an order: one per order."""

    __tablename__ = "payments"

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="RESTRICT"), unique=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    provider: Mapped[str] = mapped_column(String(16))
    charge_id: Mapped[str] = mapped_column(String(255))
    payment_method_ref: Mapped[str] = mapped_column(String(255))
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    captured_at: Mapped[datetime]


class Refund(IdMixin, TimestampMixin, Base):
    """Money given back on a paid order through its provider, with its credit note (numbered
    in its own gap-free series) on the order's invoice."""

    __tablename__ = "refunds"
    __table_args__ = (
        UniqueConstraint("credit_note_number"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="RESTRICT"), index=True
    )
    invoice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("invoices.id", ondelete="RESTRICT"), index=True
    )
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(500))
    provider_refund_id: Mapped[str] = mapped_column(String(255))
    credit_note_number: Mapped[str] = mapped_column(String(32))
    refunded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class PaymentMethod(IdMixin, TimestampMixin, Base):
    """A customer's saved payment method: the provider's reference and what the provider says
    to show of it (brand, last four digits), never card data."""

    __tablename__ = "payment_methods"
    __table_args__ = (UniqueConstraint("user_id", "provider", "reference"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(255))
    brand: Mapped[str] = mapped_column(String(32))
    last4: Mapped[str] = mapped_column(String(4))


class PaymentCustomer(IdMixin, TimestampMixin, Base):
    """The provider's customer for one of our users (Stripe's `cus_...`): its saved methods pay
    the user's renewals. Made once per user and provider."""

    __tablename__ = "payment_customers"
    __table_args__ = (UniqueConstraint("user_id", "provider"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(255))


class PaymentWebhookEvent(IdMixin, TimestampMixin, Base):
    """A provider's webhook event we accepted, by its id: a replay of it is recognised."""

    __tablename__ = "payment_webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]
