"""Races on PostgreSQL, where requests really run at once: concurrent confirms of one order
capture once, and so does a confirm racing the provider's webhook; concurrent orders of one
customer for one product make one order; concurrent orders of many customers take consecutive
invoice numbers."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.models import (
    Order,
    OutboxEvent,
    Payment,
    PromoCode,
    PromoRedemption,
    Subscription,
)
from tests.commerce.helpers import (
    coach_product,
    confirm,
    deliver,
    intent_event,
    place,
    placed,
    run_event_handlers,
)
from tests.factories import Factory
from tests.robustness.concurrency import at_once

pytestmark = pytest.mark.postgres_only


async def test_concurrent_confirms_capture_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    order = await placed(client, buyer, product["id"])
    order_id = order["order"]["id"]
    answers = await at_once(confirm(client, buyer, order_id) for _ in range(8))
    assert [answer.status_code for answer in answers] == [200] * 8
    assert {answer.json()["data"]["order"]["status"] for answer in answers} == {"paid"}
    assert app.state.payment_provider.captures[order["paymentIntent"]["id"]] == 1
    async with app.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Payment)) == 1


async def test_concurrent_orders_for_one_product_make_one(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    answers = await at_once(place(client, buyer, product["id"]) for _ in range(6))
    assert sorted(answer.status_code for answer in answers) == [200] * 5 + [201]
    assert len({answer.json()["data"]["order"]["id"] for answer in answers}) == 1
    async with app.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Order)) == 1


async def test_concurrent_orders_take_consecutive_invoice_numbers(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyers = [await factory.customer() for _ in range(8)]
    answers = await at_once(place(client, buyer, product["id"]) for buyer in buyers)
    numbers = sorted(int(a.json()["data"]["invoice"]["number"][4:]) for a in answers)
    assert numbers == list(range(numbers[0], numbers[0] + 8))


async def test_a_code_with_one_use_left_is_redeemed_once_by_ten_payments(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    _, product = await coach_product(client, factory)
    promo = await client.post(
        "/api/v1/admin/promo-codes",
        json={"code": "LASTONE", "percentOff": 20, "maxRedemptions": 1},
        headers=admin.headers,
    )
    assert promo.status_code == 201, promo.text
    buyers = [await factory.customer() for _ in range(10)]
    orders = [await placed(client, buyer, product["id"], promoCode="LASTONE") for buyer in buyers]
    answers = await at_once(
        confirm(client, buyer, order["order"]["id"])
        for buyer, order in zip(buyers, orders, strict=True)
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [409] * 9
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"promo_code_exhausted"}
    captures = app.state.payment_provider.captures
    assert sum(captures[order["paymentIntent"]["id"]] for order in orders) == 1
    async with app.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Payment)) == 1
        assert await session.scalar(select(PromoCode.redemptions)) == 1
        assert await session.scalar(select(func.count()).select_from(PromoRedemption)) == 1


async def test_a_confirm_racing_the_webhook_leaves_one_consistent_state(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    """The provider's payment_intent.succeeded is handled while the app's confirm runs: whoever
    holds the order first completes it, the other finds it paid."""
    _, product = await coach_product(client, factory, durationWeeks=4)
    buyer = await factory.customer()
    order = await placed(client, buyer, product["id"])
    intent = order["paymentIntent"]["id"]
    assert (await deliver(app, client, intent_event("payment_intent.succeeded", intent))).is_success

    async def handled() -> None:
        await run_event_handlers(app)

    confirmed = confirm(client, buyer, order["order"]["id"])
    answer, _ = await at_once([confirmed, handled()])
    assert isinstance(answer, httpx.Response)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["order"]["status"] == "paid"
    assert app.state.payment_provider.captures[intent] <= 1
    async with app.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Payment)) == 1
        paid_events = select(func.count()).where(OutboxEvent.type == "commerce.order_paid")
        assert await session.scalar(paid_events) == 1
        subscription = await session.scalar(
            select(Subscription).where(Subscription.product_id == uuid.UUID(product["id"]))
        )
    assert subscription is not None
    # One extension of four weeks, not two.
    assert subscription.ends_at - subscription.starts_at == timedelta(weeks=4)
