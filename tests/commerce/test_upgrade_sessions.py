"""An upgrade tops up the sessions of the months already paid: the month under way by its days
left (rounded half up, as the money is), each later month of the period by the whole difference
of sessions per month; the preview shows it, a redelivered event grants nothing twice, an
upgrade adding no sessions per month grants none, and the customer books the extra sessions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.commerce.billing.events import SubscriptionChanged
from fitcoach.core.clock import FrozenClock
from fitcoach.models import EntitlementEntry, OutboxEvent
from fitcoach.scheduling.purchases import grant_upgraded_sessions
from fitcoach.worker.events import event_of
from tests.commerce.billing import changed, product_terms, subscribe
from tests.commerce.helpers import coach_product, run_event_handlers
from tests.factories import Account, Factory, assert_error
from tests.notifications.helpers import move_to
from tests.plans.payloads import signed_in_again
from tests.scheduling.helpers import SESSIONS, at, balance, scheduled

START = datetime(2027, 1, 4, 12, tzinfo=UTC)
# Two weeks in: 17 of the first month's 31 days are left (18 January to 3 February).
UPGRADED_AT = datetime(2027, 1, 18, 12, tzinfo=UTC)


def _sessions(count: int) -> dict[str, Any]:
    return {
        "included": {
            "sessionsPerMonth": count,
            "customTrainingPlan": True,
            "customDietPlan": False,
            "chatAccess": True,
        }
    }


async def _upgradable(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, target_sessions: int
) -> tuple[Account, str, dict[str, Any]]:
    """A customer subscribed on START to a 12-week product of 4 sessions a month (three month
    grants: to 4 February, 4 March and 29 March), two weeks later; a dearer 12-week product of
    `target_sessions` a month."""
    move_to(clock, START)
    _, current = await coach_product(client, factory, **product_terms(8400, 12, **_sessions(4)))
    _, target = await coach_product(
        client, factory, **product_terms(16800, 12, **_sessions(target_sessions))
    )
    buyer = await factory.customer()
    subscription_id = await subscribe(client, buyer, current["id"])
    move_to(clock, UPGRADED_AT)
    buyer.headers = await signed_in_again(client, buyer)
    return buyer, subscription_id, target


async def _grants(client: httpx.AsyncClient, buyer: Account) -> list[dict[str, Any]]:
    response = await client.get(
        f"/api/v1/customers/{buyer.user_id}/entitlements",
        params={"pageSize": 100},
        headers=buyer.headers,
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["items"]
    return sorted(
        (item for item in items if item["kind"] == "grant"),
        key=lambda item: (item["validFrom"], item["reason"]),
    )


async def _entries(app: FastAPI, buyer: Account) -> int:
    async with app.state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(EntitlementEntry)
            .where(EntitlementEntry.customer_id == buyer.id)
        )
    return int(count or 0)


async def test_an_upgrade_tops_up_this_month_by_its_days_left_and_later_months_whole(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, target = await _upgradable(client, factory, clock, 8)
    body = {"action": "upgrade", "targetProductId": target["id"]}
    preview = await client.post(
        f"/api/v1/subscriptions/{subscription_id}/change",
        params={"preview": "true"},
        json=body,
        headers=buyer.headers,
    )
    assert preview.status_code == 200, preview.text
    # 4 more a month: 4 * 17 / 31 = 2.19 this month, then 4 in each later month.
    expected = [
        (1, 2, "2027-01-18T12:00:00.000Z", "2027-02-04T12:00:00.000Z"),
        (2, 4, "2027-02-04T12:00:00.000Z", "2027-03-04T12:00:00.000Z"),
        (3, 4, "2027-03-04T12:00:00.000Z", "2027-03-29T12:00:00.000Z"),
    ]
    shown = [
        (one["month"], one["sessions"], one["validFrom"], one["validUntil"])
        for one in preview.json()["data"]["sessionsAdded"]
    ]
    assert shown == expected

    done = await changed(client, buyer, subscription_id, **body)
    assert [one["sessions"] for one in done["sessionsAdded"]] == [2, 4, 4]
    await run_event_handlers(app)
    top_ups = [
        (grant["amount"], grant["validFrom"], grant["validUntil"], grant["reason"])
        for grant in await _grants(client, buyer)
        if "upgrade" in grant["reason"]
    ]
    title = target["title"]
    assert top_ups == [
        (sessions, valid_from, valid_until, f"{title}: upgrade, sessions of month {month}")
        for month, sessions, valid_from, valid_until in expected
    ]
    # This month: the 4 bought and the 2 added.
    assert await balance(factory, buyer, buyer) == 4 * 3 + 2 + 4 + 4

    # The same event handled again (a redelivery) grants nothing more.
    entries = await _entries(app, buyer)
    async with app.state.sessionmaker() as session, session.begin():
        row = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.type == SubscriptionChanged.type)
        )
        assert row is not None
        event = event_of(row)
        assert isinstance(event, SubscriptionChanged)
        await grant_upgraded_sessions(session, event)
    assert await _entries(app, buyer) == entries


async def test_an_upgrade_without_more_sessions_a_month_grants_none(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    for target_sessions in (4, 2):
        buyer, subscription_id, target = await _upgradable(client, factory, clock, target_sessions)
        before = await _grants(client, buyer)
        done = await changed(
            client, buyer, subscription_id, action="upgrade", targetProductId=target["id"]
        )
        assert done["amountDue"] > 0
        assert done["sessionsAdded"] == []
        await run_event_handlers(app)
        assert await _grants(client, buyer) == before


async def test_the_customer_books_the_sessions_an_upgrade_added(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, target = await _upgradable(client, factory, clock, 8)
    coach = await factory.coach()
    classes = [
        await scheduled(
            factory,
            coach,
            coach,
            type="class",
            startTime=at(factory, day, 10),
            endTime=at(factory, day, 11),
        )
        for day in range(1, 8)
    ]

    async def book(one: dict[str, Any]) -> httpx.Response:
        return await client.post(f"{SESSIONS}/{one['id']}/bookings", headers=buyer.headers)

    # Before the upgrade this month's four sessions are all there is.
    for one in classes[:4]:
        assert (await book(one)).status_code == 201
    assert_error(await book(classes[4]), 409, code="no_entitlement")

    await changed(client, buyer, subscription_id, action="upgrade", targetProductId=target["id"])
    await run_event_handlers(app)
    for one in classes[4:6]:
        booked = await book(one)
        assert booked.status_code == 201, booked.text
    assert_error(await book(classes[6]), 409, code="no_entitlement")
