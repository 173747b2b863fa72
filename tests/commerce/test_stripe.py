"""The Stripe adapter through our HTTP API, against a local stand-in of Stripe's API that the
official library is pointed at: what the library sends (amounts, currency, customer,
idempotency keys, off_session) is asserted on the requests the stand-in recorded."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from fitcoach.commerce.payments.providers import CaptureOutcome, CaptureRequest
from tests.commerce.billing import awaiting_upgrade, confirm_change, product_terms, subscribe
from tests.commerce.helpers import (
    METHODS,
    coach_product,
    confirm,
    deliver,
    placed,
    run_event_handlers,
)
from tests.commerce.stripe_stand_in import StripeStandIn
from tests.factories import Factory, assert_error
from tests.stream.live import served


@pytest.fixture
async def stripe_api() -> AsyncIterator[tuple[StripeStandIn, str]]:
    stand_in = StripeStandIn()
    async with served(stand_in.app()) as url:
        yield stand_in, url


@pytest.fixture
def stand_in(stripe_api: tuple[StripeStandIn, str]) -> StripeStandIn:
    return stripe_api[0]


@pytest.fixture
def settings_overrides(stripe_api: tuple[StripeStandIn, str]) -> dict[str, object]:
    return {
        "payment_provider": "stripe",
        "stripe_secret_key": "sk_test_standin",
        "stripe_webhook_secret": "whsec_standin",
        "stripe_api_base": stripe_api[1],
        "rate_limit_enabled": False,
    }


async def test_a_checkout_through_stripe(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, stand_in: StripeStandIn
) -> None:
    _, product = await coach_product(client, factory, price=10000, addons=[])
    buyer, admin = await factory.customer(), await factory.admin()
    order = await placed(client, buyer, product["id"])
    order_id = order["order"]["id"]
    (customer,) = stand_in.to("/v1/customers")
    assert customer.form == {"metadata[user_id]": buyer.user_id}
    assert customer.idempotency_key == f"customer-{buyer.user_id}"
    assert customer.authorization == "Bearer sk_test_standin"
    (intent,) = stand_in.to("/v1/payment_intents")
    assert intent.form["amount"] == "10000"
    assert intent.form["currency"] == "usd"
    assert intent.form["customer"] == "cus_1"
    assert intent.form["metadata[order_id]"] == order_id
    assert intent.idempotency_key == f"intent-{order_id}"
    assert order["paymentIntent"]["id"] == "pi_1"
    assert order["paymentIntent"]["clientSecret"] == "pi_1_secret_abc"

    paid = await confirm(client, buyer, order_id, saveMethod=True)
    assert paid.status_code == 200, paid.text
    assert paid.json()["data"]["order"]["status"] == "paid"
    (confirmed,) = stand_in.to("/v1/payment_intents/pi_1/confirm")
    assert confirmed.form == {"payment_method": "pm_card_visa", "expand[0]": "payment_method"}
    assert confirmed.idempotency_key == "confirm-pi_1-pm_card_visa-first"
    (attached,) = stand_in.to("/v1/payment_methods/pm_card_visa/attach")
    assert attached.form == {"customer": "cus_1"}
    methods = (await client.get(METHODS, headers=buyer.headers)).json()["data"]["items"]
    assert [(m["provider"], m["brand"], m["last4"]) for m in methods] == [
        ("stripe", "visa", "4242")
    ]
    removed = await client.delete(f"{METHODS}/{methods[0]['id']}", headers=buyer.headers)
    assert removed.status_code == 200, removed.text
    assert len(stand_in.to("/v1/payment_methods/pm_card_visa/detach")) == 1

    refund = await client.post(
        f"/api/v1/admin/orders/{order_id}/refunds",
        json={"amount": 2500, "reason": "Sessions not held"},
        headers=admin.headers,
    )
    assert refund.status_code == 201, refund.text
    (refunded,) = stand_in.to("/v1/refunds")
    assert refunded.form == {"charge": "ch_1", "amount": "2500"}
    assert refunded.idempotency_key == f"refund-{order_id}:0"


async def test_a_decline_and_an_authentication_through_stripe(
    client: httpx.AsyncClient, factory: Factory, stand_in: StripeStandIn
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    order_id = (await placed(client, buyer, product["id"]))["order"]["id"]
    declined = await confirm(client, buyer, order_id, "pm_card_chargeDeclinedInsufficientFunds")
    assert_error(
        declined,
        402,
        "The payment was declined: Your card has insufficient funds.",
        code="payment_declined",
    )
    asked = await confirm(client, buyer, order_id, "pm_card_authenticationRequired")
    assert asked.status_code == 200, asked.text
    data = asked.json()["data"]
    assert data["order"]["status"] == "requires_action"
    assert data["nextAction"] == {
        "type": "redirect_to_url",
        "redirectUrl": "https://hooks.stripe.test/3ds",
    }
    done = await confirm(client, buyer, order_id, "pm_card_authenticationRequired")
    assert done.json()["data"]["order"]["status"] == "paid"
    keys = [r.idempotency_key for r in stand_in.to("/v1/payment_intents/pi_1/confirm")]
    assert keys == [
        "confirm-pi_1-pm_card_chargeDeclinedInsufficientFunds-first",
        "confirm-pi_1-pm_card_authenticationRequired-first",
        "confirm-pi_1-pm_card_authenticationRequired-after",
    ]


async def test_an_off_session_charge_needing_authentication_is_declined(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, stand_in: StripeStandIn
) -> None:
    """What a renewal asks of the adapter: no customer is there to authenticate."""
    _, product = await coach_product(client, factory)
    order = await placed(client, await factory.customer(), product["id"])
    result = await app.state.payment_provider.capture(
        CaptureRequest(
            intent_id=order["paymentIntent"]["id"],
            amount_minor=order["order"]["total"],
            currency=order["order"]["currency"],
            payment_method="pm_card_authenticationRequired",
            after_action=False,
            off_session=True,
        )
    )
    assert (result.outcome, result.decline_code) == (
        CaptureOutcome.declined,
        "authentication_required",
    )
    (sent,) = stand_in.to("/v1/payment_intents/pi_1/confirm")
    assert sent.form["off_session"] == "true"


async def test_stripe_webhooks_are_verified_with_the_endpoint_secret(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    order = await placed(client, buyer, product["id"])
    event = {
        "id": f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {
            "object": {
                "id": order["paymentIntent"]["id"],
                "object": "payment_intent",
                "latest_charge": "ch_1",
                "payment_method": "pm_card_visa",
            }
        },
    }
    assert (await deliver(app, client, event, provider="stripe")).status_code == 200
    # Signed with the sandbox's secret, the same event is refused here.
    forged = await deliver(app, client, event, provider="sandbox")
    assert_error(forged, 404, code="payment_provider_not_configured")
    await run_event_handlers(app)
    again = await client.get(f"/api/v1/orders/{order['order']['id']}", headers=buyer.headers)
    assert again.json()["data"]["status"] == "paid"


async def test_an_upgrade_authenticated_through_stripe(
    client: httpx.AsyncClient, factory: Factory, stand_in: StripeStandIn
) -> None:
    """3-D Secure asked by Stripe for an upgrade's charge: the redirect handed to the app, then
    the upgrade's confirm confirms the intent again, after the customer's authentication."""
    _, current = await coach_product(client, factory, **product_terms(8400, 4))
    _, dearer = await coach_product(client, factory, **product_terms(14000, 4))
    buyer = await factory.customer()
    subscription_id = await subscribe(client, buyer, current["id"])
    asked = await awaiting_upgrade(client, buyer, subscription_id, dearer["id"])
    assert asked["nextAction"] == {
        "type": "redirect_to_url",
        "redirectUrl": "https://hooks.stripe.test/3ds",
    }
    intent = asked["paymentIntent"]["id"]
    done = await confirm_change(client, buyer, subscription_id, asked["id"])
    assert done.status_code == 200, done.text
    assert done.json()["data"]["subscription"]["productId"] == dearer["id"]
    keys = [r.idempotency_key for r in stand_in.to(f"/v1/payment_intents/{intent}/confirm")]
    assert keys == [
        f"confirm-{intent}-pm_card_authenticationRequired-first",
        f"confirm-{intent}-pm_card_authenticationRequired-after",
    ]
