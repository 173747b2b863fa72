"""Payment webhooks: Stripe's signature scheme (missing, wrong, stale refused with their codes),
replays recognised by event id, and each outcome reconciled through the outbox: a payment
whose confirm lost its answer, a failure, a refund made in the provider's dashboard (never
counted twice with ours) and a dispute."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.models import Notification, OutboxEvent, Payment, Refund
from tests.commerce.helpers import (
    INVOICES,
    ORDERS,
    WEBHOOKS,
    bought,
    coach_product,
    confirm,
    deliver,
    intent_event,
    placed,
    run_event_handlers,
)
from tests.factories import Factory, assert_error


async def _count(app: FastAPI, model: Any, *where: Any) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def _order(client: httpx.AsyncClient, headers: dict[str, str], order_id: str) -> Any:
    response = await client.get(f"{ORDERS}/{order_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_unsigned_wrongly_signed_and_stale_events_are_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    event = intent_event("payment_intent.succeeded", "pi_sandbox_unknown")
    unsigned = await client.post(f"{WEBHOOKS}/sandbox", json=event)
    assert_error(unsigned, 401, code="webhook_signature_missing")
    forged = await client.post(
        f"{WEBHOOKS}/sandbox", json=event, headers={"Stripe-Signature": "t=1,v1=abc"}
    )
    assert_error(forged, 401, code="webhook_signature_invalid")
    garbled = await client.post(
        f"{WEBHOOKS}/sandbox", json=event, headers={"Stripe-Signature": "v1=abc"}
    )
    assert_error(garbled, 401, code="webhook_signature_invalid")
    now = app.state.clock.now()
    stale = await deliver(app, client, event, signed_at=now - timedelta(seconds=301))
    assert_error(stale, 401, code="webhook_signature_stale")
    within = await deliver(app, client, event, signed_at=now - timedelta(seconds=299))
    assert within.status_code == 200, within.text
    # Only the provider taking payments here has a webhook.
    other = await client.post(f"{WEBHOOKS}/stripe", json=event, headers={"Stripe-Signature": "x"})
    assert_error(other, 404, code="payment_provider_not_configured")
    assert await _count(app, OutboxEvent, OutboxEvent.type.like("commerce.payment%")) == 1


async def test_a_replayed_event_is_answered_as_a_duplicate_without_effect(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    event = intent_event("payment_intent.succeeded", "pi_sandbox_unknown")
    first = await deliver(app, client, event)
    assert first.json()["data"] == {
        "eventId": event["id"],
        "type": "payment_intent.succeeded",
        "duplicate": False,
        "reconciled": True,
    }
    again = await deliver(app, client, event)
    assert again.status_code == 200
    assert again.json()["data"]["duplicate"] is True
    other_kind = await deliver(app, client, {**event, "id": "evt_2", "type": "customer.created"})
    assert other_kind.json()["data"]["reconciled"] is False
    assert await _count(app, OutboxEvent, OutboxEvent.type.like("commerce.payment%")) == 1
    malformed = await deliver(app, client, {"id": "evt_3"})
    assert_error(malformed, 400, code="malformed_payment_webhook")


async def test_a_payment_whose_confirm_lost_its_answer_is_completed_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    order = await placed(client, buyer, product["id"])
    order_id, intent = order["order"]["id"], order["paymentIntent"]["id"]
    event = intent_event("payment_intent.succeeded", intent)
    assert (await deliver(app, client, event)).status_code == 200
    await run_event_handlers(app)
    paid = await _order(client, buyer.headers, order_id)
    assert paid["status"] == "paid"
    assert paid["subscriptionId"] is not None
    invoice = await client.get(f"{INVOICES}/{order['invoice']['id']}", headers=buyer.headers)
    assert invoice.json()["data"]["status"] == "paid"
    # The app's confirm, arriving late, finds the order paid and charges nothing.
    late = await confirm(client, buyer, order_id)
    assert late.status_code == 200
    assert late.json()["data"]["order"]["status"] == "paid"
    assert app.state.payment_provider.captures[intent] == 0
    # Stripe sends the event again; and a second relay finds nothing to do.
    await deliver(app, client, {**event, "id": event["id"] + "_retry"})
    await run_event_handlers(app)
    await run_event_handlers(app)
    assert await _count(app, Payment) == 1
    assert await _count(app, OutboxEvent, OutboxEvent.type == "commerce.order_paid") == 1
    titles = await _titles(app, buyer.id)
    assert titles.count("Payment received") == 1


async def _titles(app: FastAPI, user_id: Any) -> list[str]:
    async with app.state.sessionmaker() as session:
        found = await session.scalars(
            select(Notification.title).where(Notification.user_id == user_id)
        )
        return list(found)


async def test_a_failed_payment_makes_the_order_payable_again_and_tells_the_customer(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    order = await placed(client, buyer, product["id"])
    order_id, intent = order["order"]["id"], order["paymentIntent"]["id"]
    asked = await confirm(client, buyer, order_id, "pm_card_authenticationRequired")
    assert asked.json()["data"]["order"]["status"] == "requires_action"
    failed = intent_event(
        "payment_intent.payment_failed",
        intent,
        last_payment_error={"message": "The customer did not authenticate."},
    )
    await deliver(app, client, failed)
    await run_event_handlers(app)
    assert (await _order(client, buyer.headers, order_id))["status"] == "pending"
    assert "Payment failed" in await _titles(app, buyer.id)
    assert await _count(app, Payment) == 0


async def test_a_dashboard_refund_becomes_a_credit_note_never_counted_twice(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory, price=10000, addons=[])
    buyer, admin = await factory.customer(), await factory.admin()
    paid = await bought(client, buyer, product["id"])
    order_id, invoice_id = paid["order"]["id"], paid["invoice"]["id"]
    ours = await client.post(
        f"/api/v1/admin/orders/{order_id}/refunds",
        json={"amount": 3000, "reason": "Sessions not held"},
        headers=admin.headers,
    )
    assert ours.status_code == 201, ours.text
    sandbox = app.state.payment_provider
    async with app.state.sessionmaker() as session:
        payment = await session.scalar(select(Payment))
    assert payment is not None
    # The provider's event lists both refunds: ours (known by its id) and the dashboard's.
    event = sandbox.dashboard_refund(payment.charge_id, paid["paymentIntent"]["id"], 2000)
    await deliver(app, client, event)
    await deliver(app, client, {**event, "id": event["id"] + "_again"})
    await run_event_handlers(app)
    invoice = (await client.get(f"{INVOICES}/{invoice_id}", headers=buyer.headers)).json()["data"]
    assert sorted(note["amount"] for note in invoice["creditNotes"]) == [2000, 3000]
    assert invoice["refunded"] == 5000 == sum(sandbox.refunded.values())
    assert await _count(app, Refund) == 2
    # The rest refunded in the dashboard: the order is fully refunded.
    rest = sandbox.dashboard_refund(payment.charge_id, paid["paymentIntent"]["id"], 5000)
    await deliver(app, client, rest)
    await run_event_handlers(app)
    assert (await _order(client, buyer.headers, order_id))["status"] == "refunded"
    refused = await client.post(
        f"/api/v1/admin/orders/{order_id}/refunds",
        json={"amount": 1, "reason": "More"},
        headers=admin.headers,
    )
    assert_error(refused, 409)


async def test_a_dispute_marks_the_order_and_tells_the_admins(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer, admin = await factory.customer(), await factory.admin()
    paid = await bought(client, buyer, product["id"], method="pm_card_createDispute")
    sandbox = app.state.payment_provider
    (dispute,) = sandbox.pending_events
    assert dispute["type"] == "charge.dispute.created"
    assert (await deliver(app, client, dispute)).status_code == 200
    await run_event_handlers(app)
    order = await _order(client, buyer.headers, paid["order"]["id"])
    assert order["status"] == "disputed"
    assert "Payment disputed" in await _titles(app, admin.id)
    # The subscription runs on while the bank decides.
    me = await client.get("/api/v1/auth/me", headers=buyer.headers)
    assert me.json()["data"]["subscriptionType"] == "paid"
