"""Placing an order (a pending order, its invoice and the provider's payment intent) and
confirming it: the capture, then in the same transaction the order and invoice paid, the paid
subscription bought or extended, and OrderPaid recorded."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.catalog.products.service import product_service
from fitcoach.commerce.events import OrderPaid
from fitcoach.commerce.invoices.pricing import LineItem, LineKind, TaxPolicy, totals_of
from fitcoach.commerce.invoices.service import InvoiceDraft, invoice_service
from fitcoach.commerce.orders.exceptions import (
    AddonNotOfProduct,
    OnlyTheBuyerPays,
    OrderNotFound,
    OrderNotPaid,
    OrderNotPayable,
    ProductNotForSale,
)
from fitcoach.commerce.orders.repository import order_repository
from fitcoach.commerce.payments.exceptions import PaymentDeclined
from fitcoach.commerce.payments.providers import (
    CaptureOutcome,
    CaptureRequest,
    IntentRequest,
    NextAction,
    PaymentProvider,
)
from fitcoach.commerce.payments.service import Capture, payment_service
from fitcoach.commerce.promos.service import PromoUse, promo_service
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor, Invoice, Order, Product, PromoCode
from fitcoach.models.enums import ProductStatus
from fitcoach.subscriptions.service import Entitlements, PaidPeriod, Purchase, subscription_service
from fitcoach.users.service import user_service
from fitcoach.worker.events import record_event


class OrderStatus:
    pending = "pending"
    requires_action = "requires_action"
    paid = "paid"
    refunded = "refunded"
    # The customer's bank contests the charge: money may be taken back whatever we do.
    disputed = "disputed"
    # A renewal's charge failed and is retried (dunning); given up after the last retry.
    past_due = "past_due"
    failed = "failed"

    payable = (pending, requires_action)


@dataclass(frozen=True)
class OrderDraft:
    product_id: uuid.UUID
    addon_ids: Sequence[uuid.UUID]
    promo_code: str | None = None


@dataclass(frozen=True)
class Payer:
    """Who confirms, with what: the provider's payment-method reference, and whether to keep
    it for later."""

    payment_method: str
    save_method: bool


@dataclass(frozen=True)
class Checkout:
    order: Order
    invoice: Invoice
    # False when the customer's open order for the product was given back.
    created: bool = True
    next_action: NextAction | None = None


def _lines(product: Product, addon_ids: Sequence[uuid.UUID]) -> list[LineItem]:
    addons = {addon.id: addon for addon in product.addons}
    if any(addon_id not in addons for addon_id in addon_ids):
        raise AddonNotOfProduct()
    lines = [LineItem(LineKind.product, product.title, product.price_minor)]
    lines.extend(
        LineItem(LineKind.addon, addons[addon_id].name, addons[addon_id].price_minor)
        for addon_id in dict.fromkeys(addon_ids)
    )
    return lines


class OrderService:
    async def place(
        self,
        session: AsyncSession,
        provider: PaymentProvider,
        actor: Actor,
        draft: OrderDraft,
        tax: TaxPolicy,
        now: datetime,
    ) -> Checkout:
        """A pending order for the product, or the customer's open one for it."""
        product = (await product_service.get(session, actor, draft.product_id)).product
        if product.status != ProductStatus.published.value:
            raise ProductNotForSale()
        lines = _lines(product, draft.addon_ids)
        # One open order per customer and product: their requests apply one after another.
        await user_service.hold(session, actor.id)
        existing = await order_repository.open_order(session, actor.id, product.id)
        if existing is not None:
            invoice = await invoice_service.of_order(session, existing.id)
            return Checkout(order=existing, invoice=invoice, created=False)
        promo = None
        if draft.promo_code is not None:
            subtotal = sum(line.amount_minor for line in lines)
            promo = await promo_service.apply(
                session,
                PromoUse(draft.promo_code, actor.id, product.id, product.currency, subtotal),
                now,
            )
            lines.append(LineItem(LineKind.discount, f"Promo code {promo.code}", -promo.amount))
        order_id = uuid.uuid4()
        total = totals_of(lines, tax).total
        customer = await payment_service.customer(session, provider, actor.id)
        intent = await provider.create_intent(
            IntentRequest(order_id, total, product.currency, customer)
        )
        order = Order(
            id=order_id,
            user_id=actor.id,
            product_id=product.id,
            addon_ids=[str(addon_id) for addon_id in dict.fromkeys(draft.addon_ids)],
            status=OrderStatus.pending,
            currency=product.currency,
            total_minor=total,
            provider=provider.name,
            intent_id=intent.id,
            client_secret=intent.client_secret,
            promo_code_id=promo.promo_id if promo is not None else None,
        )
        order_repository.add(session, order)
        await session.flush()
        invoice = await invoice_service.issue(
            session, InvoiceDraft(order_id, actor.id, product.currency, lines, tax), now
        )
        return Checkout(order=order, invoice=invoice)

    async def confirm(
        self,
        session: AsyncSession,
        provider: PaymentProvider,
        actor: Actor,
        order_id: uuid.UUID,
        payer: Payer,
        now: datetime,
    ) -> Checkout:
        """Capture once: the order's row is held from before the capture to the commit, so a
        second confirm waits and then finds the order paid."""
        await user_service.hold(session, actor.id)
        order = await order_repository.find_readable(session, actor, order_id, for_update=True)
        if order is None:
            raise OrderNotFound()
        if order.user_id != actor.id:
            raise OnlyTheBuyerPays()
        invoice = await invoice_service.of_order(session, order.id)
        if order.status == OrderStatus.paid:
            return Checkout(order=order, invoice=invoice, created=False)
        if order.status not in OrderStatus.payable:
            raise OrderNotPayable()
        # Held until commit: of concurrent payments with the code's last use, one redeems it.
        promo = (
            await promo_service.hold(session, order.promo_code_id, order.user_id)
            if order.promo_code_id is not None
            else None
        )
        result = await provider.capture(
            CaptureRequest(
                intent_id=order.intent_id,
                amount_minor=order.total_minor,
                currency=order.currency,
                payment_method=payer.payment_method,
                after_action=order.status == OrderStatus.requires_action,
            )
        )
        if result.outcome is CaptureOutcome.declined:
            raise PaymentDeclined(f"The payment was declined: {result.decline_reason}")
        if result.outcome is CaptureOutcome.requires_action:
            order.status = OrderStatus.requires_action
            return Checkout(order=order, invoice=invoice, next_action=result.next_action)
        assert result.charge_id is not None
        capture = Capture(
            order_id=order.id,
            user_id=order.user_id,
            provider=provider.name,
            charge_id=result.charge_id,
            payment_method=payer.payment_method,
            amount_minor=order.total_minor,
            currency=order.currency,
        )
        await self.complete(session, (order, invoice), capture, promo, now)
        if payer.save_method and result.method is not None:
            await payment_service.save_method(session, capture, result.method)
            customer = await payment_service.customer(session, provider, order.user_id)
            await provider.save_method(customer, payer.payment_method)
        return Checkout(order=order, invoice=invoice)

    async def complete(
        self,
        session: AsyncSession,
        paid: tuple[Order, Invoice],
        capture: Capture,
        promo: PromoCode | None,
        now: datetime,
    ) -> None:
        """What a capture makes of a payable order (held by the caller): the payment recorded,
        the order and invoice paid, the subscription bought or extended, the promo code's use
        counted, OrderPaid. Confirm calls it with its own capture; the provider's webhook with
        one whose answer never reached confirm."""
        order, invoice = paid
        product = await product_service.stored(session, order.product_id)
        period = await subscription_service.purchase(
            session,
            Purchase(
                user_id=order.user_id,
                product_id=product.id,
                days=product.duration_weeks * 7,
                entitlements=Entitlements(
                    sessions_per_month=product.sessions_per_month,
                    custom_training_plan=product.custom_training_plan,
                    custom_diet_plan=product.custom_diet_plan,
                    chat_access=product.chat_access,
                ),
            ),
            now,
        )
        payment_service.record(session, capture, now)
        order.status = OrderStatus.paid
        order.paid_at = now
        order.subscription_id = period.subscription.id
        invoice_service.settle(invoice, now)
        audit_service.record(
            session,
            AuditEvent(
                action="order.paid",
                resource_type="order",
                resource_id=order.id,
                details={"invoice": invoice.number, "amount": order.total_minor},
            ),
            now,
        )
        record_event(session, _order_paid(order, invoice, product, period, now))
        if promo is not None:
            promo_service.redeem(session, promo, (order.id, order.user_id), now)
        await session.flush()

    async def lock(self, session: AsyncSession, intent_id: str) -> tuple[Order, Invoice] | None:
        """The order of a provider's payment intent and its invoice, held until commit (the
        same lock confirm takes, so a webhook and a confirm of one order go in turn)."""
        found = await order_repository.of_intent(session, intent_id)
        if found is None:
            return None
        # Confirm's order of locks: the customer, then the order.
        await user_service.hold(session, found.user_id)
        order = await order_repository.of_intent(session, intent_id, for_update=True)
        assert order is not None, "orders are never deleted"
        return order, await invoice_service.of_order(session, order.id)

    async def lock_paid(self, session: AsyncSession, actor: Actor, order_id: uuid.UUID) -> Order:
        """A paid order `actor` may see, held until commit (refunds of one order go in turn)."""
        order = await order_repository.find_readable(session, actor, order_id, for_update=True)
        if order is None:
            raise OrderNotFound()
        if order.status not in (OrderStatus.paid, OrderStatus.refunded):
            raise OrderNotPaid()
        return order

    async def get(self, session: AsyncSession, actor: Actor, order_id: uuid.UUID) -> Order:
        order = await order_repository.find_readable(session, actor, order_id)
        if order is None:
            raise OrderNotFound()
        return order

    async def page(
        self, session: AsyncSession, actor: Actor, page: PageRequest
    ) -> tuple[list[Order], int]:
        return await order_repository.page_readable(session, actor, page)


def _order_paid(
    order: Order, invoice: Invoice, product: Product, period: PaidPeriod, now: datetime
) -> OrderPaid:
    return OrderPaid(
        occurred_at=now,
        actor_id=order.user_id,
        subject_type="order",
        subject_id=str(order.id),
        order_id=order.id,
        invoice_id=invoice.id,
        user_id=order.user_id,
        product_id=product.id,
        product_title=product.title,
        coach_id=product.coach_id,
        subscription_id=period.subscription.id,
        period_start=period.starts_at,
        period_end=period.ends_at,
        amount_minor=order.total_minor,
        currency=order.currency,
        sessions_per_month=product.sessions_per_month,
        custom_plans=product.custom_training_plan or product.custom_diet_plan,
    )


order_service = OrderService()
