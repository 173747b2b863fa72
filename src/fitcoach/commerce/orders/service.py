"""Placing an order (a pending order, its invoice and the provider's payment intent) and
confirming it: the capture, then in the same transaction the order and invoice paid, and
either the paid subscription bought or extended (a product; OrderPaid recorded) or the
customer booked into the session (a drop-in place, admitted before the capture; DropInPaid
recorded)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.catalog.products.service import product_service
from fitcoach.commerce.events import DropInPaid, OrderPaid
from fitcoach.commerce.invoices.pricing import LineItem, LineKind, TaxPolicy, totals_of
from fitcoach.commerce.invoices.service import InvoiceDraft, invoice_service
from fitcoach.commerce.orders.drop_ins import DropInOffer, DropInPlace, drop_in_seller
from fitcoach.commerce.orders.exceptions import (
    AddonNotOfProduct,
    OnlyTheBuyerPays,
    OrderNotFound,
    OrderNotPaid,
    OrderNotPayable,
    OrderPaysSubscriptionChange,
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
from fitcoach.core.errors import DomainError
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
    """An order for a product with its add-ons, or (`session_id`) for one place in a session."""

    product_id: uuid.UUID | None
    addon_ids: Sequence[uuid.UUID]
    promo_code: str | None = None
    session_id: uuid.UUID | None = None


@dataclass(frozen=True)
class _Basket:
    """What an order is for, priced: a product's lines, or a session's place."""

    product_id: uuid.UUID | None
    session_id: uuid.UUID | None
    addon_ids: list[str]
    currency: str
    lines: list[LineItem]


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


def _drop_in_basket(offer: DropInOffer) -> _Basket:
    line = LineItem(LineKind.session, offer.description, offer.price_minor)
    return _Basket(None, offer.session_id, [], offer.currency, [line])


def _place_of(order: Order) -> DropInPlace | None:
    if order.session_id is None:
        return None
    return DropInPlace(order_id=order.id, customer_id=order.user_id, session_id=order.session_id)


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
        """A pending order for the product (or the session's place), or the customer's open one
        for it."""
        basket = await self._basket(session, actor, draft, now)
        # One open order per customer and item: their requests apply one after another.
        await user_service.hold(session, actor.id)
        existing = await order_repository.open_order(
            session, actor.id, basket.product_id, basket.session_id
        )
        if existing is not None:
            invoice = await invoice_service.of_order(session, existing.id)
            return Checkout(order=existing, invoice=invoice, created=False)
        lines = list(basket.lines)
        promo = None
        if draft.promo_code is not None:
            subtotal = sum(line.amount_minor for line in lines)
            use = PromoUse(draft.promo_code, actor.id, basket.product_id, basket.currency, subtotal)
            promo = await promo_service.apply(session, use, now)
            lines.append(LineItem(LineKind.discount, f"Promo code {promo.code}", -promo.amount))
        order_id = uuid.uuid4()
        total = totals_of(lines, tax).total
        customer = await payment_service.customer(session, provider, actor.id)
        intent = await provider.create_intent(
            IntentRequest(order_id, total, basket.currency, customer)
        )
        order = Order(
            id=order_id,
            user_id=actor.id,
            product_id=basket.product_id,
            session_id=basket.session_id,
            addon_ids=basket.addon_ids,
            status=OrderStatus.pending,
            currency=basket.currency,
            total_minor=total,
            provider=provider.name,
            intent_id=intent.id,
            client_secret=intent.client_secret,
            promo_code_id=promo.promo_id if promo is not None else None,
        )
        order_repository.add(session, order)
        await session.flush()
        invoice = await invoice_service.issue(
            session, InvoiceDraft(order_id, actor.id, basket.currency, lines, tax), now
        )
        return Checkout(order=order, invoice=invoice)

    async def _basket(
        self, session: AsyncSession, actor: Actor, draft: OrderDraft, now: datetime
    ) -> _Basket:
        if draft.session_id is not None:
            offer = await drop_in_seller().offer(session, actor, draft.session_id, now)
            return _drop_in_basket(offer)
        assert draft.product_id is not None  # the schema asks for one of the two
        product = (await product_service.get(session, actor, draft.product_id)).product
        if product.status != ProductStatus.published.value:
            raise ProductNotForSale()
        lines = _lines(product, draft.addon_ids)
        addon_ids = [str(addon_id) for addon_id in dict.fromkeys(draft.addon_ids)]
        return _Basket(product.id, None, addon_ids, product.currency, lines)

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
        if order.subscription_id is not None:
            # A subscription change's order (an upgrade awaiting authentication): paid here it
            # would buy a period instead of applying the change.
            raise OrderPaysSubscriptionChange()
        place = _place_of(order)
        if place is not None:
            # Refused here, before the capture, when the place can no longer be taken: the
            # session stays held until commit, so the capture's place is still free at seating.
            await drop_in_seller().admit(session, place, now)
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
        the order and invoice paid, the subscription bought or extended (or the session's place
        taken), the promo code's use counted, OrderPaid (or DropInPaid). Confirm calls it with
        its own capture; the provider's webhook with one whose answer never reached confirm."""
        order, invoice = paid
        place = _place_of(order)
        if place is not None:
            # A drop-in: the place is taken, no subscription is bought and no entitlement
            # granted (DropInPaid, not OrderPaid).
            await drop_in_seller().seat(session, place, now)
            event: OrderPaid | DropInPaid = _drop_in_paid(order, invoice, now)
        else:
            assert order.product_id is not None
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
            order.subscription_id = period.subscription.id
            order.period_start, order.period_end = period.starts_at, period.ends_at
            event = _order_paid(order, invoice, product, period, now)
        _record_payment(session, paid, capture, "order.paid", now)
        record_event(session, event)
        if promo is not None:
            promo_service.redeem(session, promo, (order.id, order.user_id), now)
        await session.flush()

    async def still_placeable(self, session: AsyncSession, order: Order, now: datetime) -> bool:
        """Whether a held order's item can still be delivered: always a product; a session's
        place only while it can be taken (the session is then held until commit)."""
        place = _place_of(order)
        if place is None:
            return True
        try:
            await drop_in_seller().admit(session, place, now)
        except DomainError:
            return False
        return True

    async def settle_undelivered(
        self, session: AsyncSession, paid: tuple[Order, Invoice], capture: Capture, now: datetime
    ) -> None:
        """A capture the provider made for a place taken since (the customer's confirm never
        got its answer): the payment recorded and the order paid, for the caller to refund in
        full. No place, no promo code redeemed, no DropInPaid."""
        _record_payment(session, paid, capture, "order.paid_undelivered", now)
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

    async def lock_settled(self, session: AsyncSession, order_id: uuid.UUID) -> Order | None:
        """A paid or refunded order, held until commit, for a refund no one asked for by hand
        (a drop-in's session called off); None for any other order."""
        order = await order_repository.lock(session, order_id)
        if order is None or order.status not in (OrderStatus.paid, OrderStatus.refunded):
            return None
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


def _record_payment(
    session: AsyncSession, paid: tuple[Order, Invoice], capture: Capture, action: str, now: datetime
) -> None:
    """The capture recorded, the order and its invoice paid, and `action` audited."""
    order, invoice = paid
    payment_service.record(session, capture, now)
    order.status = OrderStatus.paid
    order.paid_at = now
    invoice_service.settle(invoice, now)
    audit_service.record(
        session,
        AuditEvent(
            action=action,
            resource_type="order",
            resource_id=order.id,
            details={"invoice": invoice.number, "amount": order.total_minor},
        ),
        now,
    )


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


def _drop_in_paid(order: Order, invoice: Invoice, now: datetime) -> DropInPaid:
    assert order.session_id is not None
    return DropInPaid(
        occurred_at=now,
        actor_id=order.user_id,
        subject_type="order",
        subject_id=str(order.id),
        order_id=order.id,
        invoice_id=invoice.id,
        user_id=order.user_id,
        session_id=order.session_id,
        amount_minor=order.total_minor,
        currency=order.currency,
    )


order_service = OrderService()
