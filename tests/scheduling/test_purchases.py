"""A purchase pays for sessions: the paid order's product grants its sessions per month, one
grant per month of the period paid, and a redelivered OrderPaid grants nothing twice."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.commerce.events import OrderPaid
from fitcoach.models import EntitlementEntry, OutboxEvent
from fitcoach.scheduling.purchases import grant_purchased_sessions
from fitcoach.worker.events import event_of
from tests.commerce.helpers import bought, coach_product
from tests.factories import Factory


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_a_paid_order_grants_its_sessions_month_by_month(
    app: FastAPI, factory: Factory
) -> None:
    _, product = await coach_product(factory.client, factory, durationWeeks=12)
    buyer = await factory.customer()
    await bought(factory.client, buyer, product["id"])

    response = await factory.client.get(
        f"/api/v1/customers/{buyer.user_id}/entitlements", headers=buyer.headers
    )
    assert response.status_code == 200, response.text
    grants = [item for item in response.json()["data"]["items"] if item["kind"] == "grant"]
    # Twelve weeks are two whole months and part of a third: three grants of four sessions.
    assert [grant["amount"] for grant in grants] == [4, 4, 4]
    windows = sorted((_utc(g["validFrom"]), _utc(g["validUntil"])) for g in grants)
    assert all(end == next_start for (_, end), (next_start, _) in pairwise(windows))
    assert (windows[-1][1] - windows[0][0]).days == 12 * 7

    # The same event handled again (a redelivery) grants nothing more.
    async with app.state.sessionmaker() as session, session.begin():
        row = await session.scalar(select(OutboxEvent).where(OutboxEvent.type == OrderPaid.type))
        assert row is not None
        event = event_of(row)
        assert isinstance(event, OrderPaid)
        await grant_purchased_sessions(session, event)
    async with app.state.sessionmaker() as session:
        count = len(
            (
                await session.scalars(
                    select(EntitlementEntry).where(EntitlementEntry.customer_id == buyer.id)
                )
            ).all()
        )
    assert count == 3


async def test_a_product_without_sessions_grants_none(factory: Factory) -> None:
    included = {
        "sessionsPerMonth": 0,
        "customTrainingPlan": True,
        "customDietPlan": False,
        "chatAccess": True,
    }
    _, product = await coach_product(factory.client, factory, included=included)
    buyer = await factory.customer()
    await bought(factory.client, buyer, product["id"])
    response = await factory.client.get(
        f"/api/v1/customers/{buyer.user_id}/entitlements", headers=buyer.headers
    )
    assert response.json()["data"]["items"] == []
