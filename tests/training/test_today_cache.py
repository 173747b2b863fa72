"""A customer's day is served from the worker's read cache on PostgreSQL, and kept exact by the
change feed (migration 0037): what is the customer's own announces them, what a template shares
with its followers announces everyone, whoever writes it."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from fastapi import FastAPI

from fitcoach.core.clock import FrozenClock
from tests.db.test_read_cache import statements_run
from tests.factories import Factory
from tests.scheduling.test_calendar_cache import behind_the_apps_back
from tests.training.helpers import (
    daily_plan,
    follow,
    log_item,
    set_local_time,
    set_timezone,
    today,
    training_plan,
)

pytestmark = pytest.mark.postgres_only

SQUAT = {"day": 1, "exercise": "Squats", "sets": 3, "reps": "8"}
EVERY_DAY = {"kind": "cycle", "cycleDays": 1}


async def test_a_repeated_day_sends_no_query_and_reads_the_same(
    factory: Factory, app: FastAPI, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    await daily_plan(factory, customer, clock.now().date())
    first = await today(factory, customer)
    with statements_run(app) as statements:
        again = await today(factory, customer)
    assert statements == []
    assert again == first
    assert [item["name"] for item in again["items"]] == ["Squats"]


async def test_the_customers_own_changes_reach_their_cached_day(
    factory: Factory, app: FastAPI, clock: FrozenClock, database_url: str
) -> None:
    set_local_time(clock, "2026-12-07T23:30:00", "UTC")
    customer, other = await factory.customer(), await factory.customer()
    plan_id, item_id = await daily_plan(factory, customer, date(2026, 12, 1))
    await daily_plan(factory, other, date(2026, 12, 1))
    assert (await today(factory, customer))["items"][0]["log"]["status"] == "pending"
    others_day = await today(factory, other)

    # A completion through the API, read back at once by the same worker.
    logged = await log_item(factory, customer, plan_id, item_id, feedback="Felt strong")
    assert logged.status_code == 200, logged.text
    assert (await today(factory, customer))["items"][0]["log"]["status"] == "completed"
    # Another customer's cached day is not theirs to change.
    with statements_run(app) as statements:
        assert await today(factory, other) == others_day
    assert statements == []

    # Behind the app's back: the log row alone.
    await behind_the_apps_back(
        database_url, "UPDATE item_logs SET feedback = 'Edited' WHERE customer_id = $1", customer.id
    )
    assert (await today(factory, customer))["items"][0]["log"]["feedback"] == "Edited"

    # A new time zone moves "today": 23:30 in UTC is already tomorrow in Cairo.
    await set_timezone(factory, customer, "Africa/Cairo")
    moved = await today(factory, customer)
    assert (moved["date"], moved["timezone"]) == ("2026-12-08", "Africa/Cairo")
    assert moved["items"][0]["log"]["status"] == "pending"


async def test_a_template_edit_reaches_every_follower(
    factory: Factory, clock: FrozenClock, database_url: str
) -> None:
    admin = await factory.admin()
    ann, bob = await factory.customer(), await factory.customer()
    plan = await training_plan(factory, admin, [SQUAT])
    start = clock.now().date()
    await follow(factory, admin, plan["id"], ann, start, EVERY_DAY)
    await follow(factory, admin, plan["id"], bob, start)
    for customer in (ann, bob):
        assert [item["name"] for item in (await today(factory, customer))["items"]] == ["Squats"]

    edited = await factory.client.patch(
        f"/api/v1/plans/{plan['id']}",
        json={"items": [{**SQUAT, "exercise": "Lunges"}]},
        headers=admin.headers,
    )
    assert edited.status_code == 200, edited.text
    for customer in (ann, bob):
        assert [item["name"] for item in (await today(factory, customer))["items"]] == ["Lunges"]

    # Behind the app's back: the template's item alone.
    await behind_the_apps_back(
        database_url,
        "UPDATE plan_items SET notes = 'Slow on the way down' WHERE plan_id = $1",
        uuid.UUID(plan["id"]),
    )
    for customer in (ann, bob):
        item = (await today(factory, customer))["items"][0]
        assert item["notes"] == "Slow on the way down"
