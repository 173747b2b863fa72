"""The `freeze` action, run live by the embedded workers: it grants streak freezes on the
customer's local day, which /me/achievements shows at once and the streak spends on a missed
day; once per automation and event, and never above the policy's stock. Validated on save and
listed in the catalog like the other actions."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import StreakFreezeGrant
from tests.automations.events import log_workout, rule
from tests.automations.helpers import count, handled, redeliver
from tests.factories import Account, Factory, assert_error, with_settings
from tests.training.helpers import (
    achievements_of,
    daily_plan,
    log_item,
    refresh,
    set_local_time,
    set_timezone,
)

URL = "/api/v1/automations"
live = with_settings(worker_embedded=True, scheduler_enabled=False, worker_poll_seconds=0.05)


@pytest.fixture
async def admin(factory: Factory) -> Account:
    return await factory.admin()


async def _freezing(client: httpx.AsyncClient, admin: Account, **action: Any) -> str:
    """An active automation granting freezes on every WorkoutLogged, uncapped for a test."""
    body = rule(
        conditions=None,
        actions=[{"type": "freeze", **action}],
        frequencyCap={"maxRuns": 100, "perHours": 1},
    )
    response = await client.post(URL, json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    automation_id: str = response.json()["data"]["id"]
    return automation_id


async def _performed(
    client: httpx.AsyncClient, admin: Account, automation_id: str
) -> list[list[dict[str, Any]]]:
    response = await client.get(f"{URL}/{automation_id}/runs", headers=admin.headers)
    assert response.status_code == 200, response.text
    return [run["performed"] for run in response.json()["data"]["items"]]


@live
async def test_a_freeze_is_granted_once_per_event_and_shown_at_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    set_local_time(clock, "2026-12-07T12:00:00", "UTC")
    customer = await factory.customer()
    automation_id = await _freezing(client, admin)
    event = await log_workout(app, customer.id, clock.now())
    await handled(app, event.id)
    assert (await achievements_of(factory, customer))["freezes"] == 1
    assert await _performed(client, admin, automation_id) == [
        [{"type": "freeze", "count": 1, "freezes": 1}]
    ]

    # The policy's stock is 2: a second grant would show.
    await redeliver(app, event.id, clock.now())
    assert (await achievements_of(factory, customer))["freezes"] == 1
    assert await count(app, StreakFreezeGrant) == 1
    assert len(await _performed(client, admin, automation_id)) == 1


@live
async def test_a_freeze_granted_on_a_missed_day_saves_the_streak_another_loses(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    zone = "America/New_York"
    set_local_time(clock, "2026-12-07T12:00:00", zone)
    await _freezing(client, admin)
    lucky, other = await factory.customer(), await factory.customer()
    plans = {}
    for customer in (lucky, other):
        await set_timezone(factory, customer, zone)
        plans[customer.id] = await daily_plan(factory, customer, date(2026, 12, 7))
        await log_item(factory, customer, *plans[customer.id])

    # Both miss the 8th. Lucky is granted a freeze at 22:00 in New York: the 9th in UTC, but
    # the grant is on their local day, the 8th, so it covers that day.
    set_local_time(clock, "2026-12-08T22:00:00", zone)
    await refresh(factory, lucky)
    event = await log_workout(app, lucky.id, clock.now())
    await handled(app, event.id)
    granted = await achievements_of(factory, lucky)
    assert (granted["currentStreak"], granted["freezes"]) == (1, 1)
    async with app.state.sessionmaker() as session:
        grant = (await session.scalars(select(StreakFreezeGrant))).one()
    assert (grant.customer_id, grant.local_date, grant.count, grant.reason) == (
        lucky.id,
        date(2026, 12, 8),
        1,
        "Nudge after a skipped workout",
    )

    set_local_time(clock, "2026-12-09T12:00:00", zone)
    for customer in (lucky, other):
        await refresh(factory, customer)
        response = await log_item(factory, customer, *plans[customer.id])
        assert response.status_code == 200, response.text
    saved, broken = await achievements_of(factory, lucky), await achievements_of(factory, other)
    assert (saved["currentStreak"], saved["freezes"], saved["freezesUsed"]) == (2, 0, 1)
    assert (broken["currentStreak"], broken["freezes"], broken["freezesUsed"]) == (1, 0, 0)


@live
async def test_a_freeze_granted_before_the_plan_starts_waits_for_it(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    set_local_time(clock, "2026-12-07T12:00:00", "UTC")
    await _freezing(client, admin)
    customer = await factory.customer()
    plan = await daily_plan(factory, customer, date(2026, 12, 10))
    event = await log_workout(app, customer.id, clock.now())
    await handled(app, event.id)
    assert (await achievements_of(factory, customer))["freezes"] == 1

    # The plan starts on the 10th; the customer logs the 10th, misses the 11th, logs the 12th:
    # the freeze granted on the 7th covers the 11th.
    for day, logged in (("2026-12-10", True), ("2026-12-11", False), ("2026-12-12", True)):
        set_local_time(clock, f"{day}T12:00:00", "UTC")
        if logged:
            await refresh(factory, customer)
            response = await log_item(factory, customer, *plan)
            assert response.status_code == 200, response.text
    shown = await achievements_of(factory, customer)
    assert (shown["currentStreak"], shown["freezes"], shown["freezesUsed"]) == (2, 0, 1)


@live
async def test_grants_never_lift_the_stock_above_the_policys_maximum(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    policy = {"dayShare": 80, "freezeEveryDays": 7, "maxFreezes": 2}
    response = await client.put(
        "/api/v1/admin/settings/streaks", json=policy, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    customer = await factory.customer()
    automation_id = await _freezing(client, admin, count=3)
    for _ in range(2):
        event = await log_workout(app, customer.id, clock.now())
        await handled(app, event.id)
    assert (await achievements_of(factory, customer))["freezes"] == 2
    assert await _performed(client, admin, automation_id) == [
        [{"type": "freeze", "count": 3, "freezes": 2}],
        [{"type": "freeze", "count": 3, "freezes": 2}],
    ]
    # The simulation counts the action like any other, and sends the customer no message.
    simulated = await client.post(
        f"{URL}/{automation_id}/simulate", json={"sampleSize": 10}, headers=admin.headers
    )
    assert simulated.status_code == 200, simulated.text
    impact = simulated.json()["data"]["impact"]
    assert (impact["actionsByType"], impact["messagesPerDay"]) == ({"freeze": 2}, [])


@pytest.mark.parametrize("count", [0, 6, "x", None, True])
async def test_the_count_is_a_whole_number_from_1_to_5(
    client: httpx.AsyncClient, admin: Account, count: Any
) -> None:
    body = rule(actions=[{"type": "freeze", "count": count}])
    response = await client.post(URL, json=body, headers=admin.headers)
    assert_error(response, 422, code="invalid_rule")
    assert response.json()["errors"][0]["field"] == "actions[0].count"


async def test_the_count_defaults_to_one_and_the_catalog_lists_the_action(
    client: httpx.AsyncClient, admin: Account
) -> None:
    response = await client.post(
        URL, json=rule(actions=[{"type": "freeze"}]), headers=admin.headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["automation"]["actions"] == [{"type": "freeze", "count": 1}]

    catalog = await client.get(f"{URL}/catalog", headers=admin.headers)
    assert catalog.status_code == 200, catalog.text
    actions = {action["type"]: action for action in catalog.json()["data"]["actions"]}
    assert actions["freeze"]["parameters"] == {"count": "1-5 (default 1)"}
    assert "streak freezes" in actions["freeze"]["description"]
