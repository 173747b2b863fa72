"""Races on PostgreSQL: two schedulers renewing at once charge a period once; two changes of
one subscription at once apply one, and the other is told why not; an upgrade awaiting
authentication, confirmed while the provider's webhook is handled, is applied once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import Order, OutboxEvent, Payment, Subscription, SubscriptionChange
from tests.commerce.billing import (
    awaiting_upgrade,
    bill,
    change,
    confirm_change,
    product_terms,
    subscribe,
)
from tests.commerce.helpers import coach_product, deliver, intent_event, run_event_handlers
from tests.factories import Factory
from tests.notifications.helpers import move_to
from tests.robustness.concurrency import at_once

pytestmark = pytest.mark.postgres_only

START = datetime(2027, 1, 4, 12, tzinfo=UTC)


async def test_two_schedulers_renew_a_period_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    move_to(clock, START)
    _, product = await coach_product(client, factory, **product_terms(8400, 4))
    buyers = [await factory.customer() for _ in range(3)]
    for buyer in buyers:
        await subscribe(client, buyer, product["id"])
    move_to(clock, START + timedelta(days=28))
    runs = await asyncio.gather(*(bill(app) for _ in range(4)))
    assert sum(run.renewed for run in runs) == 3
    async with app.state.sessionmaker() as session:
        renewals = (
            await session.scalars(select(Order.intent_id).where(Order.paid_at == clock.now()))
        ).all()
    assert len(renewals) == 3
    captures = app.state.payment_provider.captures
    assert [captures[intent] for intent in renewals] == [1, 1, 1]


async def test_two_changes_at_once_apply_one(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    move_to(clock, START)
    _, current = await coach_product(client, factory, **product_terms(8400, 4))
    _, dearer = await coach_product(client, factory, **product_terms(14000, 4))
    buyer = await factory.customer()
    subscription_id = await subscribe(client, buyer, current["id"])

    pauses = await at_once(
        change(client, buyer, subscription_id, action="pause", effectiveDate=day, pauseDays=7)
        for day in ("2027-01-10", "2027-01-12")
    )
    assert sorted(answer.status_code for answer in pauses) == [200, 409]
    [refused] = [answer for answer in pauses if answer.status_code == 409]
    assert refused.json()["code"] == "change_pending"
    resumed = await change(client, buyer, subscription_id, action="resume")
    assert resumed.status_code == 200, resumed.text

    upgrades = await at_once(
        change(client, buyer, subscription_id, action="upgrade", targetProductId=dearer["id"])
        for _ in range(2)
    )
    assert sorted(answer.status_code for answer in upgrades) == [200, 409]
    [refused] = [answer for answer in upgrades if answer.status_code == 409]
    assert refused.json()["code"] == "same_product"
    async with app.state.sessionmaker() as session:
        paid = await session.scalar(
            select(func.count()).select_from(Order).where(Order.status == "paid")
        )
        changes = await session.scalar(select(func.count()).select_from(SubscriptionChange))
    assert (paid, changes) == (2, 3)


async def test_a_confirm_racing_the_webhook_applies_the_upgrade_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    """Whoever holds the customer first applies the upgrade; the other finds it applied."""
    move_to(clock, START)
    _, current = await coach_product(client, factory, **product_terms(8400, 4))
    _, dearer = await coach_product(client, factory, **product_terms(14000, 4))
    buyer = await factory.customer()
    subscription_id = await subscribe(client, buyer, current["id"])
    asked = await awaiting_upgrade(client, buyer, subscription_id, dearer["id"])
    intent = asked["paymentIntent"]["id"]
    event = intent_event("payment_intent.succeeded", intent)
    assert (await deliver(app, client, event)).is_success

    async def handled() -> None:
        await run_event_handlers(app)

    confirmed = confirm_change(client, buyer, subscription_id, asked["id"])
    answer, _ = await at_once([confirmed, handled()])
    assert isinstance(answer, httpx.Response)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["status"] == "applied"
    # The first attempt, and at most the confirm's capture after authentication.
    assert app.state.payment_provider.captures[intent] <= 2
    async with app.state.sessionmaker() as session:
        # The purchase's payment and the upgrade's.
        assert await session.scalar(select(func.count()).select_from(Payment)) == 2
        changed_events = select(func.count()).where(
            OutboxEvent.type == "commerce.subscription_changed"
        )
        assert await session.scalar(changed_events) == 1
        subscription = await session.get(Subscription, uuid.UUID(subscription_id))
        upgrade = await session.scalar(select(SubscriptionChange))
    assert subscription is not None
    assert subscription.product_id == uuid.UUID(dearer["id"])
    assert upgrade is not None
    assert upgrade.status == "applied"
