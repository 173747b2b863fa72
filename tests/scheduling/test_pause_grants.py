"""A pause freezes the sessions of the periods it moves: the month grants of the subscription
(and an upgrade's top-ups) move by the pause's days, so the customer books in the days added
at the end; an early resume moves them back by the days given back; a redelivered event moves
nothing twice; a grant an admin made by hand stays where it is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.commerce.billing.events import SubscriptionChanged
from fitcoach.core.clock import FrozenClock
from fitcoach.models import OutboxEvent
from fitcoach.worker.jobs import enqueue_job
from fitcoach.worker.store import EVENT_JOB
from tests.commerce.billing import changed, product_terms, subscribe
from tests.commerce.helpers import coach_product, keyed, run_event_handlers
from tests.factories import Account, Factory, assert_error
from tests.notifications.helpers import move_to
from tests.plans.payloads import signed_in_again
from tests.scheduling.helpers import SESSIONS, at, balance, scheduled

START = datetime(2027, 1, 4, 12, tzinfo=UTC)
ADMIN_GRANT = ("2027-01-05T00:00:00.000Z", "2027-03-01T00:00:00.000Z")
# A 12-week product of 4 sessions a month bought on START: three month grants.
BOUGHT = [
    ("2027-01-04T12:00:00.000Z", "2027-02-04T12:00:00.000Z"),
    ("2027-02-04T12:00:00.000Z", "2027-03-04T12:00:00.000Z"),
    ("2027-03-04T12:00:00.000Z", "2027-03-29T12:00:00.000Z"),
]
# Paused from 18 January for 14 days: the first month (valid then) ends 14 days later, the
# later months start and end 14 days later; the period ends on 12 April instead of 29 March.
PAUSED = [
    ("2027-01-04T12:00:00.000Z", "2027-02-18T12:00:00.000Z"),
    ("2027-02-18T12:00:00.000Z", "2027-03-18T12:00:00.000Z"),
    ("2027-03-18T12:00:00.000Z", "2027-04-12T12:00:00.000Z"),
]


async def _subscribed(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> tuple[Account, str, Account]:
    """A customer subscribed on START (4 sessions a month for 12 weeks), 10 sessions granted
    by an admin by hand, and pauses of 7 to 30 days allowed on a day's notice."""
    move_to(clock, START)
    _, product = await coach_product(
        client,
        factory,
        **product_terms(
            8400,
            12,
            included={
                "sessionsPerMonth": 4,
                "customTrainingPlan": True,
                "customDietPlan": False,
                "chatAccess": True,
            },
        ),
    )
    buyer = await factory.customer()
    subscription_id = await subscribe(client, buyer, product["id"])
    admin = await factory.admin()
    policy = {
        "maxPausesPerYear": 2,
        "minPauseDays": 7,
        "maxPauseDays": 30,
        "pauseNoticeHours": 24,
        "cancelRefund": "none",
    }
    response = await client.put(
        "/api/v1/admin/settings/subscriptions", json=policy, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    granted = await client.post(
        f"/api/v1/admin/customers/{buyer.user_id}/entitlements",
        json={
            "sessions": 10,
            "validFrom": ADMIN_GRANT[0],
            "validUntil": ADMIN_GRANT[1],
            "reason": "Goodwill",
        },
        headers=keyed(admin),
    )
    assert granted.status_code == 201, granted.text
    return buyer, subscription_id, admin


async def _windows(client: httpx.AsyncClient, buyer: Account) -> dict[str, list[tuple[str, str]]]:
    """The grants' windows, earliest first: those of the purchase and those made by hand."""
    response = await client.get(
        f"/api/v1/customers/{buyer.user_id}/entitlements",
        params={"pageSize": 100},
        headers=buyer.headers,
    )
    assert response.status_code == 200, response.text
    grants = [item for item in response.json()["data"]["items"] if item["kind"] == "grant"]
    windows: dict[str, list[tuple[str, str]]] = {"bought": [], "by hand": []}
    for grant in sorted(grants, key=lambda item: item["validFrom"]):
        kind = "by hand" if grant["reason"] == "Goodwill" else "bought"
        windows[kind].append((grant["validFrom"], grant["validUntil"]))
    return windows


async def _pause(client: httpx.AsyncClient, buyer: Account, subscription_id: str) -> dict[str, Any]:
    return await changed(
        client, buyer, subscription_id, action="pause", effectiveDate="2027-01-18", pauseDays=14
    )


async def _redeliver(app: FastAPI, action: str) -> None:
    """Hand the `action` SubscriptionChanged to the grant shift once more, as a worker would
    after a redelivery."""
    async with app.state.sessionmaker() as session, session.begin():
        rows = await session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == SubscriptionChanged.type)
        )
        event_id = next(row.id for row in rows if row.payload["action"] == action)
        job_id = enqueue_job(
            session,
            EVENT_JOB,
            {"handler": "scheduling.shift_paused_grants", "event_id": str(event_id)},
        )
    await app.state.worker.runner.run(job_id, set())


async def test_a_pause_moves_the_purchased_grants_and_leaves_those_made_by_hand(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _ = await _subscribed(client, factory, clock)
    await run_event_handlers(app)
    assert await _windows(client, buyer) == {"bought": BOUGHT, "by hand": [ADMIN_GRANT]}

    paused = await _pause(client, buyer, subscription_id)
    assert paused["subscription"]["endsAt"] == "2027-04-12T12:00:00.000Z"
    await run_event_handlers(app)
    assert await _windows(client, buyer) == {"bought": PAUSED, "by hand": [ADMIN_GRANT]}
    assert await balance(factory, buyer, buyer) == 3 * 4 + 10

    # The same event handled again moves nothing twice.
    await _redeliver(app, "pause")
    assert await _windows(client, buyer) == {"bought": PAUSED, "by hand": [ADMIN_GRANT]}

    # 10 February: the first month's sessions, frozen during the pause, are still there (they
    # would have expired on 4 February).
    move_to(clock, datetime(2027, 2, 10, 12, tzinfo=UTC))
    buyer.headers = await signed_in_again(client, buyer)
    assert await balance(factory, buyer, buyer) == 3 * 4 + 10


async def test_the_customer_books_in_the_days_the_pause_added_at_the_end(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _ = await _subscribed(client, factory, clock)
    await _pause(client, buyer, subscription_id)
    await run_event_handlers(app)

    # 1 April: after the period's first end (29 March), before its end now (12 April).
    move_to(clock, datetime(2027, 4, 1, 12, tzinfo=UTC))
    buyer.headers = await signed_in_again(client, buyer)
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
        for day in range(1, 6)
    ]

    async def book(one: dict[str, Any]) -> httpx.Response:
        return await client.post(f"{SESSIONS}/{one['id']}/bookings", headers=buyer.headers)

    for one in classes[:4]:
        booked = await book(one)
        assert booked.status_code == 201, booked.text
    assert_error(await book(classes[4]), 409, code="no_entitlement")


async def test_an_early_resume_moves_the_grants_back_by_the_days_given_back(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _ = await _subscribed(client, factory, clock)
    await _pause(client, buyer, subscription_id)
    await run_event_handlers(app)

    # 22 January, the pause's fifth day: 22 to 31 January given back, 10 days.
    move_to(clock, datetime(2027, 1, 22, 12, tzinfo=UTC))
    buyer.headers = await signed_in_again(client, buyer)
    resumed = await changed(client, buyer, subscription_id, action="resume")
    assert resumed["subscription"]["endsAt"] == "2027-04-02T12:00:00.000Z"
    await run_event_handlers(app)
    expected = [
        ("2027-01-04T12:00:00.000Z", "2027-02-08T12:00:00.000Z"),
        ("2027-02-08T12:00:00.000Z", "2027-03-08T12:00:00.000Z"),
        ("2027-03-08T12:00:00.000Z", "2027-04-02T12:00:00.000Z"),
    ]
    assert await _windows(client, buyer) == {"bought": expected, "by hand": [ADMIN_GRANT]}
    await _redeliver(app, "resume")
    assert await _windows(client, buyer) == {"bought": expected, "by hand": [ADMIN_GRANT]}


async def test_a_pause_withdrawn_before_it_begins_puts_the_grants_back(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _ = await _subscribed(client, factory, clock)
    await _pause(client, buyer, subscription_id)
    await run_event_handlers(app)
    resumed = await changed(client, buyer, subscription_id, action="resume")
    assert resumed["subscription"]["endsAt"] == "2027-03-29T12:00:00.000Z"
    await run_event_handlers(app)
    assert await _windows(client, buyer) == {"bought": BOUGHT, "by hand": [ADMIN_GRANT]}


async def test_a_pause_moves_an_upgrades_top_ups_with_the_months_they_top_up(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _ = await _subscribed(client, factory, clock)
    _, dearer = await coach_product(
        client,
        factory,
        **product_terms(
            16800,
            12,
            included={
                "sessionsPerMonth": 8,
                "customTrainingPlan": True,
                "customDietPlan": False,
                "chatAccess": True,
            },
        ),
    )
    move_to(clock, datetime(2027, 1, 11, 12, tzinfo=UTC))
    buyer.headers = await signed_in_again(client, buyer)
    await changed(client, buyer, subscription_id, action="upgrade", targetProductId=dearer["id"])
    await run_event_handlers(app)
    top_ups = [
        ("2027-01-11T12:00:00.000Z", "2027-02-04T12:00:00.000Z"),
        ("2027-02-04T12:00:00.000Z", "2027-03-04T12:00:00.000Z"),
        ("2027-03-04T12:00:00.000Z", "2027-03-29T12:00:00.000Z"),
    ]
    assert (await _windows(client, buyer))["bought"] == sorted(BOUGHT + top_ups)

    await _pause(client, buyer, subscription_id)
    await run_event_handlers(app)
    moved = [
        ("2027-01-11T12:00:00.000Z", "2027-02-18T12:00:00.000Z"),
        ("2027-02-18T12:00:00.000Z", "2027-03-18T12:00:00.000Z"),
        ("2027-03-18T12:00:00.000Z", "2027-04-12T12:00:00.000Z"),
    ]
    assert await _windows(client, buyer) == {
        "bought": sorted(PAUSED + moved),
        "by hand": [ADMIN_GRANT],
    }
