"""The access matrix's rows for commerce (see access_matrix for the rules).

Customers buy: only they place and pay orders (staff get 403 for their role), and only their
own (another customer's order is 404). A customer reads their own orders and invoices, an admin
every one; a coach sees none (404). Saved payment methods are their owner's alone. Promo
codes and refunds are for admins only. A payment webhook is the provider's, signed: anyone
else, signed in or not, gets 401. A subscription's change (and the confirm of an upgrade
awaiting authentication) is its customer's: another customer's is 404, staff get 403.
"""

from __future__ import annotations

import uuid

from fitcoach.catalog.products.service import product_service
from fitcoach.catalog.schemas import ProductIn
from fitcoach.commerce.billing.planning import ChangeAction, ChangeRequest
from fitcoach.commerce.billing.service import Billing, subscription_change_service
from fitcoach.commerce.invoices.pricing import TaxPolicy
from fitcoach.commerce.orders.service import Checkout, OrderDraft, Payer, order_service
from fitcoach.commerce.payments.providers import MethodDetails
from fitcoach.commerce.payments.service import Capture, payment_service
from fitcoach.commerce.promos.service import PromoDraft, PromoRules, promo_service
from fitcoach.http.pagination import PageRequest
from fitcoach.users.service import user_service
from tests.catalog.payloads import product_body
from tests.robustness.cells import Call, Row, admin_only, anyone_signed_in, body_of, signed_in
from tests.robustness.world import Actor, World

# The customer's own; another customer and the coaches do not see it, an admin does.
owner_or_admin = signed_in(200, 404, 404, 404, 200)


async def _customers_order(world: World) -> Checkout:
    async with world.app.state.sessionmaker() as session, session.begin():
        customer = await user_service.get(session, uuid.UUID(world.customer.user_id))
        return await order_service.place(
            session,
            world.app.state.payment_provider,
            customer,
            OrderDraft(product_id=world.objects.published_product_id, addon_ids=()),
            TaxPolicy(rate_basis_points=0, inclusive=True),
            world.app.state.clock.now(),
        )


async def _confirm(world: World, actor: Actor) -> Call:
    checkout = await _customers_order(world)
    return Call(path={"orderId": str(checkout.order.id)}, json={"paymentMethodId": "pm_card_visa"})


async def _order(world: World, actor: Actor) -> Call:
    return Call(path={"orderId": str((await _customers_order(world)).order.id)})


async def _invoice(world: World, actor: Actor) -> Call:
    return Call(path={"invoiceId": str((await _customers_order(world)).invoice.id)})


async def _saved_method(world: World, actor: Actor) -> Call:
    async with world.app.state.sessionmaker() as session, session.begin():
        await payment_service.save_method(
            session,
            Capture(
                order_id=uuid.uuid4(),
                user_id=uuid.UUID(world.customer.user_id),
                provider="sandbox",
                charge_id="ch_matrix",
                payment_method="pm_card_visa",
                amount_minor=0,
                currency="USD",
            ),
            MethodDetails("visa", "4242"),
        )
        customer = await user_service.get(session, uuid.UUID(world.customer.user_id))
        methods, _ = await payment_service.methods(session, customer, PageRequest(1, 1))
    return Call(path={"paymentMethodId": str(methods[0].id)})


async def _paid_order(world: World, actor: Actor) -> Call:
    checkout = await _customers_order(world)
    async with world.app.state.sessionmaker() as session, session.begin():
        customer = await user_service.get(session, uuid.UUID(world.customer.user_id))
        await order_service.confirm(
            session,
            world.app.state.payment_provider,
            customer,
            checkout.order.id,
            Payer(payment_method="pm_card_visa", save_method=False),
            world.app.state.clock.now(),
        )
    return Call(path={"orderId": str(checkout.order.id)}, json={"amount": 100, "reason": "Matrix"})


async def _subscription(world: World, actor: Actor) -> Call:
    """The customer's paid subscription, canceled at its period end by the call."""
    checkout = await _customers_order(world)
    async with world.app.state.sessionmaker() as session, session.begin():
        customer = await user_service.get(session, uuid.UUID(world.customer.user_id))
        paid = await order_service.confirm(
            session,
            world.app.state.payment_provider,
            customer,
            checkout.order.id,
            Payer(payment_method="pm_card_visa", save_method=False),
            world.app.state.clock.now(),
        )
    return Call(path={"subscriptionId": str(paid.order.subscription_id)}, json={"action": "cancel"})


async def _awaiting_upgrade(world: World, actor: Actor) -> Call:
    """The customer's paid subscription, upgraded to a dearer product with a card that needs
    the customer's authentication: the upgrade awaits it, for the call to confirm."""
    subscription_id = (await _subscription(world, actor)).path["subscriptionId"]
    state, now = world.app.state, world.app.state.clock.now()
    dearer = ProductIn.model_validate(
        product_body(title="Dearer program", price=48000, goals=["build_muscle"])
    ).to_draft()
    async with state.sessionmaker() as session, session.begin():
        coach = await user_service.get(session, world.ids[Actor.ASSIGNED_COACH])
        product = (await product_service.create(session, coach, dearer, now)).product
        await product_service.publish(session, coach, product.id, now)
    async with state.sessionmaker() as session, session.begin():
        customer = await user_service.get(session, uuid.UUID(world.customer.user_id))
        outcome = await subscription_change_service.change(
            session,
            customer,
            uuid.UUID(subscription_id),
            ChangeRequest(
                ChangeAction.upgrade,
                target_product_id=product.id,
                payment_method="pm_card_authenticationRequired",
            ),
            Billing(state.payment_provider, TaxPolicy(0, inclusive=True), now),
            preview=False,
        )
    assert outcome.change is not None
    return Call(
        path={"subscriptionId": subscription_id, "changeId": str(outcome.change.id)}, json={}
    )


async def _webhook(world: World, actor: Actor) -> Call:
    # Unsigned: whoever calls, signed in or not, the provider's signature is what counts.
    return Call(path={"provider": "sandbox"}, json={"id": "evt_matrix", "type": "charge.refunded"})


def _promo_body(world: World) -> dict[str, object]:
    return {"code": f"M{uuid.uuid4().hex[:12]}", "percentOff": 10}


async def _promo(world: World, actor: Actor) -> Call:
    async with world.app.state.sessionmaker() as session, session.begin():
        promo = await promo_service.create(
            session,
            PromoDraft(f"M{uuid.uuid4().hex[:12]}", 10, None, None, PromoRules()),
            world.app.state.clock.now(),
        )
    return Call(path={"promoCodeId": str(promo.id)}, json={"active": False})


COMMERCE_MATRIX: dict[tuple[str, str], Row] = {
    ("POST", "/api/v1/orders"): Row(
        signed_in(201, 201, 403, 403, 403),
        body_of(lambda world: {"productId": str(world.objects.published_product_id)}),
        hands_over=frozenset({"paymentIntent"}),
    ),
    ("POST", "/api/v1/orders/{orderId}/confirm"): Row(
        signed_in(200, 404, 403, 403, 403), _confirm, hands_over=frozenset({"paymentIntent"})
    ),
    ("GET", "/api/v1/orders"): Row(anyone_signed_in()),
    ("GET", "/api/v1/orders/{orderId}"): Row(owner_or_admin, _order),
    ("GET", "/api/v1/invoices"): Row(anyone_signed_in()),
    ("GET", "/api/v1/invoices/{invoiceId}"): Row(owner_or_admin, _invoice),
    ("GET", "/api/v1/invoices/{invoiceId}/pdf"): Row(owner_or_admin, _invoice),
    ("GET", "/api/v1/payment-methods"): Row(anyone_signed_in()),
    ("DELETE", "/api/v1/payment-methods/{paymentMethodId}"): Row(
        signed_in(200, 404, 404, 404, 404), _saved_method
    ),
    ("POST", "/api/v1/admin/orders/{orderId}/refunds"): Row(admin_only(201), _paid_order),
    # A subscription is changed by its customer only: staff are refused for their role.
    ("POST", "/api/v1/subscriptions/{subscriptionId}/change"): Row(
        signed_in(200, 404, 403, 403, 403), _subscription
    ),
    ("POST", "/api/v1/subscriptions/{subscriptionId}/changes/{changeId}/confirm"): Row(
        signed_in(200, 404, 403, 403, 403), _awaiting_upgrade
    ),
    ("PUT", "/api/v1/admin/settings/subscriptions"): Row(
        admin_only(),
        body_of(
            lambda world: {
                "maxPausesPerYear": 2,
                "minPauseDays": 7,
                "maxPauseDays": 30,
                "pauseNoticeHours": 24,
                "cancelRefund": "prorated",
            }
        ),
    ),
    ("POST", "/api/v1/payments/webhooks/{provider}"): Row(dict.fromkeys(Actor, 401), _webhook),
    # Promo codes: admins only.
    ("POST", "/api/v1/admin/promo-codes"): Row(admin_only(201), body_of(_promo_body)),
    ("GET", "/api/v1/admin/promo-codes"): Row(admin_only()),
    ("GET", "/api/v1/admin/promo-codes/{promoCodeId}"): Row(admin_only(), _promo),
    ("PATCH", "/api/v1/admin/promo-codes/{promoCodeId}"): Row(admin_only(), _promo),
    ("DELETE", "/api/v1/admin/promo-codes/{promoCodeId}"): Row(admin_only(), _promo),
}
