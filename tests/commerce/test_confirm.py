"""Confirming an order: the capture, then in one transaction the order and invoice paid, the
paid subscription bought or extended (with the product's entitlements, shown by /auth/me) and
OrderPaid, whose handler tells the customer and the coach. Declines and authentication."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import Notification, OutboxEvent, Payment
from tests.commerce.helpers import (
    INVOICES,
    METHODS,
    ORDERS,
    bought,
    coach_product,
    confirm,
    keyed,
    placed,
    run_event_handlers,
)
from tests.factories import Factory, assert_error
from tests.plans.payloads import signed_in_again


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _count(app: FastAPI, model: Any) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_paid_order_buys_the_products_subscription(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    assert (await _me(client, buyer.headers))["subscriptionType"] == "free"
    paid = await bought(client, buyer, product["id"])
    order, invoice = paid["order"], paid["invoice"]
    assert order["status"] == "paid"
    assert order["paidAt"] is not None
    assert invoice["status"] == "paid"

    me = await _me(client, buyer.headers)
    assert (me["isSubscribed"], me["subscriptionType"]) == (True, "paid")
    subscription = me["subscriptionStatus"]["subscription"]
    assert subscription["id"] == order["subscriptionId"]
    assert subscription["productId"] == product["id"]
    assert subscription["days"] == 12 * 7
    assert subscription["entitlements"] == {
        "sessionsPerMonth": 4,
        "customTrainingPlan": True,
        "customDietPlan": False,
        "chatAccess": True,
    }
    assert await _count(app, Payment) == 1


async def test_buying_again_extends_the_subscription(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    _, product = await coach_product(client, factory, durationWeeks=4)
    buyer = await factory.customer()
    first = await bought(client, buyer, product["id"])
    clock.advance(days=10)
    buyer.headers = await signed_in_again(client, buyer)
    second = await bought(client, buyer, product["id"])
    assert second["order"]["id"] != first["order"]["id"]
    assert second["order"]["subscriptionId"] == first["order"]["subscriptionId"]
    subscription = (await _me(client, buyer.headers))["subscriptionStatus"]["subscription"]
    assert subscription["days"] == 56


async def test_the_subscription_falls_back_to_free_rules_when_it_ends(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    _, product = await coach_product(client, factory, durationWeeks=1)
    buyer = await factory.customer()
    await bought(client, buyer, product["id"])
    clock.advance(days=8)
    buyer.headers = await signed_in_again(client, buyer)
    me = await _me(client, buyer.headers)
    # The seven-day trial and the week bought have both ended.
    assert (me["isSubscribed"], me["subscriptionType"]) == (False, None)


async def test_order_paid_tells_the_customer_and_the_coach(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    coach, product = await coach_product(client, factory)
    buyer = await factory.customer()
    paid = await bought(client, buyer, product["id"])
    async with app.state.sessionmaker() as session:
        event = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.type == "commerce.order_paid")
        )
    assert event is not None
    payload = event.payload
    assert payload["user_id"] == buyer.user_id
    assert payload["product_id"] == product["id"]
    assert payload["subscription_id"] == paid["order"]["subscriptionId"]
    assert payload["period_start"] < payload["period_end"]

    await run_event_handlers(app)
    await run_event_handlers(app)  # a second pass finds nothing new to do
    async with app.state.sessionmaker() as session:
        told = (await session.execute(select(Notification.user_id, Notification.title))).all()
    assert sorted((str(user), title) for user, title in told) == sorted(
        [(buyer.user_id, "Payment received"), (str(coach.id), "New client")]
    )


async def test_a_decline_names_the_reason_and_charges_nothing(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    order = await placed(client, buyer, product["id"])
    response = await confirm(
        client, buyer, order["order"]["id"], "pm_card_chargeDeclinedInsufficientFunds"
    )
    assert_error(
        response,
        402,
        "The payment was declined: Your card has insufficient funds.",
        code="payment_declined",
    )
    again = await client.get(f"{ORDERS}/{order['order']['id']}", headers=buyer.headers)
    assert again.json()["data"]["status"] == "pending"
    assert await _count(app, Payment) == 0
    assert (await _me(client, buyer.headers))["subscriptionType"] == "free"
    # Another card then pays the same order.
    assert (await confirm(client, buyer, order["order"]["id"])).status_code == 200


async def test_authentication_comes_before_the_capture(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    order_id = (await placed(client, buyer, product["id"]))["order"]["id"]
    first = await confirm(client, buyer, order_id, "pm_card_authenticationRequired")
    assert first.status_code == 200, first.text
    data = first.json()["data"]
    assert data["order"]["status"] == "requires_action"
    assert data["nextAction"]["type"] == "use_stripe_sdk"
    assert data["paymentIntent"]["clientSecret"]
    # The app authenticated with the SDK, then confirms again.
    second = await confirm(client, buyer, order_id, "pm_card_authenticationRequired")
    assert second.json()["data"]["order"]["status"] == "paid"


async def test_confirming_twice_captures_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    order = await placed(client, buyer, product["id"])
    order_id = order["order"]["id"]
    first = await confirm(client, buyer, order_id)
    second = await confirm(client, buyer, order_id, "pm_card_mastercard")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["data"]["order"] == first.json()["data"]["order"]
    assert app.state.payment_provider.captures[order["paymentIntent"]["id"]] == 1
    assert await _count(app, Payment) == 1


async def test_an_idempotent_confirm_is_replayed(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    order_id = (await placed(client, buyer, product["id"]))["order"]["id"]
    headers = keyed(buyer, "pay-once")
    body = {"paymentMethodId": "pm_card_visa"}
    first = await client.post(f"{ORDERS}/{order_id}/confirm", json=body, headers=headers)
    second = await client.post(f"{ORDERS}/{order_id}/confirm", json=body, headers=headers)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    changed = await client.post(
        f"{ORDERS}/{order_id}/confirm", json={"paymentMethodId": "pm_card_amex"}, headers=headers
    )
    assert_error(changed, 422, code="idempotency_key_reused")


async def test_only_the_buyer_confirms(client: httpx.AsyncClient, factory: Factory) -> None:
    _, product = await coach_product(client, factory)
    buyer, other, admin = await factory.customer(), await factory.customer(), await factory.admin()
    order_id = (await placed(client, buyer, product["id"]))["order"]["id"]
    assert_error(await confirm(client, other, order_id), 404, code="order_not_found")
    assert_error(await confirm(client, admin, order_id), 403)
    bad = await client.post(
        f"{ORDERS}/{order_id}/confirm", json={"paymentMethodId": ""}, headers=keyed(buyer)
    )
    assert_error(bad, 422)


async def test_saved_methods_are_the_customers_own(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer, other = await factory.customer(), await factory.customer()
    await bought(client, buyer, product["id"], saveMethod=True)
    listed = (await client.get(METHODS, headers=buyer.headers)).json()["data"]
    assert [(m["paymentMethodId"], m["brand"], m["last4"]) for m in listed["items"]] == [
        ("pm_card_visa", "visa", "4242")
    ]
    method_id = listed["items"][0]["id"]
    assert (await client.get(METHODS, headers=other.headers)).json()["data"]["items"] == []
    assert_error(await client.delete(f"{METHODS}/{method_id}", headers=other.headers), 404)
    removed = await client.delete(f"{METHODS}/{method_id}", headers=buyer.headers)
    assert removed.status_code == 200, removed.text
    assert (await client.get(METHODS, headers=buyer.headers)).json()["data"]["items"] == []


async def test_invoices_list_shows_the_paid_invoice(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    paid = await bought(client, buyer, product["id"])
    listed = (await client.get(INVOICES, headers=buyer.headers)).json()["data"]["items"]
    assert [(one["id"], one["status"]) for one in listed] == [(paid["invoice"]["id"], "paid")]
