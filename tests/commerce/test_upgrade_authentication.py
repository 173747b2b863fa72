"""An upgrade whose charge needs the customer's bank authentication (the sandbox's
pm_card_authenticationRequired): answered 202 with the next action and nothing changed; then
completed exactly once by its confirm or by the provider's webhook, whichever comes first;
given up by a failed authentication or a withdraw (a payment reported afterwards is refunded);
refused once the period it was priced for has ended; and its customer's alone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import OutboxEvent, Payment, Refund, SubscriptionChange
from tests.commerce.billing import (
    awaiting_upgrade,
    bill,
    change,
    changed,
    confirm_change,
    me,
    product_terms,
    subscribe,
)
from tests.commerce.helpers import (
    INVOICES,
    ORDERS,
    coach_product,
    confirm,
    deliver,
    intent_event,
    keyed,
    run_event_handlers,
)
from tests.factories import Account, Factory, assert_error
from tests.notifications.helpers import inbox, move_to
from tests.plans.payloads import signed_in_again

START = datetime(2027, 1, 4, 12, tzinfo=UTC)
# 28 days left of a 4-week product at 300 a day, upgraded to one at 500 a day.
DUE = 14000 - 8400


async def _subscribed(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> tuple[Account, str, dict[str, Any], dict[str, Any]]:
    """A customer subscribed on START to a 4-week product, and a dearer product."""
    move_to(clock, START)
    _, current = await coach_product(client, factory, **product_terms(8400, 4))
    _, dearer = await coach_product(
        client,
        factory,
        **product_terms(
            14000,
            4,
            included={
                "sessionsPerMonth": 12,
                "customTrainingPlan": True,
                "customDietPlan": True,
                "chatAccess": True,
            },
        ),
    )
    buyer = await factory.customer()
    return buyer, await subscribe(client, buyer, current["id"]), current, dearer


async def _count(app: FastAPI, model: Any, *where: Any) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def _upgrades_recorded(app: FastAPI) -> int:
    async with app.state.sessionmaker() as session:
        payloads = (
            await session.scalars(
                select(OutboxEvent.payload).where(
                    OutboxEvent.type == "commerce.subscription_changed"
                )
            )
        ).all()
    return sum(1 for payload in payloads if payload["action"] == "upgrade")


async def _order(client: httpx.AsyncClient, account: Account, order_id: str) -> dict[str, Any]:
    response = await client.get(f"{ORDERS}/{order_id}", headers=account.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _upgrade_grants(client: httpx.AsyncClient, buyer: Account) -> list[int]:
    """The sessions the customer was granted by upgrades (scheduling's ledger)."""
    response = await client.get(
        f"/api/v1/customers/{buyer.user_id}/entitlements",
        params={"pageSize": 100},
        headers=buyer.headers,
    )
    assert response.status_code == 200, response.text
    return [
        item["amount"]
        for item in response.json()["data"]["items"]
        if item["kind"] == "grant" and "upgrade" in item["reason"]
    ]


async def _titles(client: httpx.AsyncClient, account: Account) -> list[str]:
    return [item["title"] for item in (await inbox(client, account))["items"]]


async def test_an_upgrade_needing_authentication_answers_the_next_action_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, current, dearer = await _subscribed(client, factory, clock)
    before = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    body = {
        "action": "upgrade",
        "targetProductId": dearer["id"],
        "paymentMethodId": "pm_card_authenticationRequired",
    }
    headers = keyed(buyer)
    path = f"/api/v1/subscriptions/{subscription_id}/change"
    answer = await client.post(path, json=body, headers=headers)
    assert answer.status_code == 202, answer.text
    data = answer.json()["data"]
    assert (data["status"], data["action"], data["preview"]) == (
        "requires_action",
        "upgrade",
        False,
    )
    assert data["nextAction"] == {"type": "use_stripe_sdk", "redirectUrl": None}
    assert data["paymentIntent"]["provider"] == "sandbox"
    assert data["paymentIntent"]["clientSecret"].startswith(data["paymentIntent"]["id"])
    assert (data["amountDue"], data["productId"]) == (DUE, dearer["id"])
    assert data["invoice"]["status"] == "open"
    # Nothing about the subscription changed.
    assert data["subscription"]["productId"] == current["id"]
    assert (await me(client, buyer))["subscriptionStatus"]["subscription"] == before
    assert await _count(app, Payment) == 1
    assert await _upgrades_recorded(app) == 0
    order = await _order(client, buyer, data["invoice"]["orderId"])
    assert (order["status"], order["subscriptionId"]) == ("requires_action", subscription_id)

    # The same request again is the same answer; another change waits for this one.
    again = await client.post(path, json=body, headers=headers)
    assert (again.status_code, again.json()) == (202, answer.json())
    for other in (
        {"action": "upgrade", "targetProductId": dearer["id"]},
        {"action": "pause", "effectiveDate": "2027-01-10", "pauseDays": 7},
        {"action": "cancel"},
    ):
        assert_error(
            await change(client, buyer, subscription_id, **other), 409, code="change_pending"
        )
    # The upgrade's order is paid through the change, never bought as a product by it; and a
    # checkout of the same product is an order of its own.
    assert_error(
        await confirm(client, buyer, order["id"]), 409, code="order_pays_subscription_change"
    )
    checkout = await client.post(ORDERS, json={"productId": dearer["id"]}, headers=keyed(buyer))
    assert checkout.status_code == 201, checkout.text
    assert checkout.json()["data"]["order"]["id"] != order["id"]


async def test_confirming_after_authentication_applies_the_upgrade_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _, dearer = await _subscribed(client, factory, clock)
    asked = await awaiting_upgrade(client, buyer, subscription_id, dearer["id"])
    intent = asked["paymentIntent"]["id"]
    # Authenticated the next day: the amounts the bank authorised hold (not re-prorated).
    clock.advance(days=1)
    buyer.headers = await signed_in_again(client, buyer)

    done = await confirm_change(client, buyer, subscription_id, asked["id"])
    assert done.status_code == 200, done.text
    data = done.json()["data"]
    assert (data["id"], data["status"], data["amountDue"]) == (asked["id"], "applied", DUE)
    assert (data["paymentIntent"], data["nextAction"]) == (None, None)
    assert data["proration"] == asked["proration"]
    assert data["proration"]["remainingDays"] == 28
    # It took effect when completed: 8 more sessions a month, for 27 of the month's 28 days.
    assert data["effectiveAt"] == "2027-01-05T12:00:00.000Z"
    assert [one["sessions"] for one in data["sessionsAdded"]] == [8]
    assert data["invoice"]["status"] == "paid"
    assert data["subscription"]["productId"] == dearer["id"]
    shown = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    assert shown["productId"] == dearer["id"]
    assert shown["entitlements"]["sessionsPerMonth"] == 12
    assert shown["endsAt"] == asked["periodEndsAt"]

    # Confirmed again (a retry, or the app unsure): answered as it is, never charged again.
    captures = app.state.payment_provider.captures[intent]
    again = await confirm_change(client, buyer, subscription_id, asked["id"])
    assert again.status_code == 200, again.text
    assert again.json()["data"]["status"] == "applied"
    # And the provider's own report of the payment, arriving late, finds it done.
    await deliver(app, client, intent_event("payment_intent.succeeded", intent))
    await run_event_handlers(app)
    assert app.state.payment_provider.captures[intent] == captures == 2
    assert await _count(app, Payment) == 2
    assert await _upgrades_recorded(app) == 1
    assert (await _titles(client, buyer)).count("Your subscription was upgraded") == 1
    assert await _upgrade_grants(client, buyer) == [8]


async def test_a_webhook_success_applies_the_upgrade_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _, dearer = await _subscribed(client, factory, clock)
    asked = await awaiting_upgrade(client, buyer, subscription_id, dearer["id"])
    intent = asked["paymentIntent"]["id"]
    event = intent_event("payment_intent.succeeded", intent)
    assert (await deliver(app, client, event)).status_code == 200
    await run_event_handlers(app)

    shown = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    assert shown["productId"] == dearer["id"]
    invoice = await client.get(f"{INVOICES}/{asked['invoice']['id']}", headers=buyer.headers)
    assert invoice.json()["data"]["status"] == "paid"
    # The app's confirm, after the webhook, finds it applied and charges nothing.
    late = await confirm_change(client, buyer, subscription_id, asked["id"])
    assert late.status_code == 200, late.text
    assert late.json()["data"]["status"] == "applied"
    assert app.state.payment_provider.captures[intent] == 1
    # The provider sends the event again.
    await deliver(app, client, {**event, "id": event["id"] + "_retry"})
    await run_event_handlers(app)
    assert await _count(app, Payment) == 2
    assert await _upgrades_recorded(app) == 1
    assert (await _titles(client, buyer)).count("Your subscription was upgraded") == 1
    assert await _upgrade_grants(client, buyer) == [8]


async def test_a_failed_authentication_leaves_the_subscription_and_another_upgrade_can_be_made(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, current, dearer = await _subscribed(client, factory, clock)
    before = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    asked = await awaiting_upgrade(client, buyer, subscription_id, dearer["id"])
    failed = intent_event(
        "payment_intent.payment_failed",
        asked["paymentIntent"]["id"],
        last_payment_error={"message": "The customer did not authenticate."},
    )
    await deliver(app, client, failed)
    await run_event_handlers(app)

    assert (await me(client, buyer))["subscriptionStatus"]["subscription"] == before
    assert (await _order(client, buyer, asked["invoice"]["orderId"]))["status"] == "failed"
    invoice = await client.get(f"{INVOICES}/{asked['invoice']['id']}", headers=buyer.headers)
    assert invoice.json()["data"]["status"] == "void"
    assert "Your upgrade was not completed" in await _titles(client, buyer)
    refused = await confirm_change(client, buyer, subscription_id, asked["id"])
    assert_error(refused, 409, code="change_not_awaiting_authentication")
    assert await _upgrades_recorded(app) == 0
    assert await _upgrade_grants(client, buyer) == []

    # The customer upgrades again, with a card that needs no authentication.
    done = await changed(
        client, buyer, subscription_id, action="upgrade", targetProductId=dearer["id"]
    )
    assert (done["status"], done["subscription"]["productId"]) == ("applied", dearer["id"])
    assert current["id"] != dearer["id"]


async def test_a_withdrawn_upgrade_is_refunded_if_its_payment_still_arrives(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, current, dearer = await _subscribed(client, factory, clock)
    asked = await awaiting_upgrade(client, buyer, subscription_id, dearer["id"])
    withdrawn = await changed(client, buyer, subscription_id, action="withdraw")
    assert withdrawn["subscription"]["productId"] == current["id"]
    refused = await confirm_change(client, buyer, subscription_id, asked["id"])
    assert_error(refused, 409, code="change_not_awaiting_authentication")

    # The customer had authenticated at their bank anyway: the payment is given back.
    event = intent_event("payment_intent.succeeded", asked["paymentIntent"]["id"])
    await deliver(app, client, event)
    await run_event_handlers(app)
    assert (await me(client, buyer))["subscriptionStatus"]["subscription"]["productId"] == (
        current["id"]
    )
    async with app.state.sessionmaker() as session:
        refund = await session.scalar(select(Refund))
        statuses = {
            one.action: one.status for one in await session.scalars(select(SubscriptionChange))
        }
    assert refund is not None
    assert refund.amount_minor == DUE
    assert statuses == {"upgrade": "withdrawn", "withdraw": "applied"}
    assert await _upgrades_recorded(app) == 0
    assert "Your upgrade was not completed" in await _titles(client, buyer)


async def test_an_upgrade_cannot_be_completed_once_its_period_has_ended(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    """Its amounts hold for the period they were prorated over, not beyond."""
    buyer, subscription_id, current, dearer = await _subscribed(client, factory, clock)
    clock.advance(days=20)
    buyer.headers = await signed_in_again(client, buyer)
    asked = await awaiting_upgrade(client, buyer, subscription_id, dearer["id"])
    clock.advance(days=8)
    buyer.headers = await signed_in_again(client, buyer)
    expired = await confirm_change(client, buyer, subscription_id, asked["id"])
    assert_error(expired, 409, code="upgrade_expired")
    # The renewal charges the next period at the current price and gives the upgrade up.
    assert (await bill(app)).renewed == 1
    async with app.state.sessionmaker() as session:
        upgrade = await session.scalar(select(SubscriptionChange))
    assert upgrade is not None
    assert upgrade.status == "expired"
    shown = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    assert shown["productId"] == current["id"]
    done = await changed(
        client, buyer, subscription_id, action="upgrade", targetProductId=dearer["id"]
    )
    assert done["status"] == "applied"


async def test_another_customer_can_neither_see_nor_complete_it(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _, dearer = await _subscribed(client, factory, clock)
    asked = await awaiting_upgrade(client, buyer, subscription_id, dearer["id"])
    stranger, coach = await factory.customer(), await factory.coach()
    assert_error(
        await confirm_change(client, stranger, subscription_id, asked["id"]),
        404,
        code="subscription_not_found",
    )
    assert_error(await confirm_change(client, coach, subscription_id, asked["id"]), 403)
    for path in (f"{ORDERS}/{asked['invoice']['orderId']}", f"{INVOICES}/{asked['invoice']['id']}"):
        assert (await client.get(path, headers=stranger.headers)).status_code == 404
    # Their own subscription does not reach it either.
    theirs = await subscribe(client, stranger, dearer["id"])
    assert_error(
        await confirm_change(client, stranger, theirs, asked["id"]), 404, code="change_not_found"
    )
    # The customer still completes it.
    done = await confirm_change(client, buyer, subscription_id, asked["id"])
    assert done.status_code == 200, done.text
