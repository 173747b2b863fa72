"""Races on PostgreSQL: two schedulers renewing at once charge a period once; two changes of
one subscription at once apply one, and the other is told why not."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import Order, SubscriptionChange
from tests.commerce.billing import bill, change, product_terms, subscribe
from tests.commerce.helpers import coach_product
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
