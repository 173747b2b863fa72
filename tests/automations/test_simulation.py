"""The simulation through HTTP: a seeded history replayed against figures computed by hand,
a sample of the matches with why each matched, and proof that it writes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text

from fitcoach.core.clock import FrozenClock
from fitcoach.db.base import Base
from fitcoach.models import OutboxEvent
from fitcoach.users.schemas import BodyMetricsIn
from fitcoach.worker.events import record_event
from tests.automations.events import ServerRestarted, log_workout, rule
from tests.factories import Account, Factory, assert_error

URL = "/api/v1/automations"


@pytest.fixture
async def admin(factory: Factory) -> Account:
    return await factory.admin()


async def _seed(app: FastAPI, factory: Factory, clock: FrozenClock) -> dict[str, Any]:
    """Three days of workouts: A and B are 30, C is 20. The rule (skipped, age >= 30, once per
    customer in 24 hours) sees, oldest first:

        day0 09:00 A skipped    match, runs          (A's window opens)
        day0 10:00 B skipped    match, runs          (B's window opens)
        day0 11:00 C skipped    no match (age 20)
        day0 12:00 A skipped    match, capped        (3 h after A's run)
        day0 13:00 A completed  no match
        day1 09:00 B skipped    match, capped        (23 h after B's run)
        day1 10:00 A skipped    match, runs          (25 h after A's run)
        day2 11:00 B skipped    match, runs          (49 h after B's run)
    """
    a = await factory.customer(name="Alice Able")
    b = await factory.customer(name="Bob Baker")
    young = BodyMetricsIn(height=170, weight=60, age=20, gender="female")
    c = await factory.customer(name="Cleo Cole", metrics=young)
    day0 = (clock.now() - timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)

    def at(day: int, hour: int) -> datetime:
        return day0 + timedelta(days=day, hours=hour)

    plan = [
        (a, at(0, 9), "skipped"),
        (b, at(0, 10), "skipped"),
        (c, at(0, 11), "skipped"),
        (a, at(0, 12), "skipped"),
        (a, at(0, 13), "completed"),
        (b, at(1, 9), "skipped"),
        (a, at(1, 10), "skipped"),
        (b, at(2, 11), "skipped"),
    ]
    events = [await log_workout(app, who.id, when, status=status) for who, when, status in plan]
    # Another event type is no part of the trigger's history.
    async with app.state.sessionmaker() as session, session.begin():
        record_event(
            session,
            ServerRestarted(
                occurred_at=at(2, 12),
                actor_id=None,
                subject_type="host",
                subject_id="h",
                reason="x",
            ),
        )
    return {"a": a, "b": b, "c": c, "events": events, "day0": day0}


async def _simulate(
    client: httpx.AsyncClient, admin: Account, automation_id: str, sample: int
) -> dict[str, Any]:
    response = await client.post(
        f"{URL}/{automation_id}/simulate", json={"sampleSize": sample}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_the_whole_history_against_hand_computed_figures(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    seeded = await _seed(app, factory, clock)
    created = await client.post(URL, json=rule(), headers=admin.headers)
    assert created.status_code == 201, created.text
    preview = created.json()["data"]["preview"]
    simulated = await _simulate(client, admin, created.json()["data"]["id"], 100)
    # The preview is the same simulation on the default sample (100 events).
    assert preview == simulated

    day0 = seeded["day0"].date()
    assert simulated["impact"] == {
        "sampleSize": 100,
        "eventsReplayed": 8,
        "matched": 6,
        "wouldRun": 4,
        "stoppedByFrequencyCap": 2,
        "stoppedByLoopGuard": 0,
        "actionsByType": {"notify": 4, "tag": 4},
        "customersAffected": 2,
        "messagesPerDay": [
            {"date": day0.isoformat(), "count": 2},
            {"date": (day0 + timedelta(days=1)).isoformat(), "count": 1},
            {"date": (day0 + timedelta(days=2)).isoformat(), "count": 1},
        ],
    }
    events = seeded["events"]
    a, b = seeded["a"], seeded["b"]
    affected = simulated["affected"]
    # Newest first: every match, with why it matched and what it would have done.
    assert [(item["eventId"], item["stoppedBy"]) for item in affected] == [
        (str(events[7].id), None),
        (str(events[6].id), None),
        (str(events[5].id), "frequencyCap"),
        (str(events[3].id), "frequencyCap"),
        (str(events[1].id), None),
        (str(events[0].id), None),
    ]
    newest = affected[0]
    assert newest["customerId"] == str(b.id)
    assert newest["actions"] == ["notify", "tag"]
    assert newest["reasons"] == [
        "event.status eq 'skipped' (was 'skipped')",
        "customer.age gte 30 (was 30)",
    ]
    assert affected[2]["actions"] == []
    assert {item["customerId"] for item in affected} == {str(a.id), str(b.id)}


async def test_a_sample_replays_only_the_latest_events(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    """The latest five: day0 12:00 A, 13:00 A (completed), day1 09:00 B, 10:00 A, day2 11:00 B.
    A runs at day0 12:00 and is capped at day1 10:00 (22 h later); B runs at day1 09:00 and at
    day2 11:00 (26 h later)."""
    seeded = await _seed(app, factory, clock)
    created = await client.post(URL, json=rule(), headers=admin.headers)
    simulated = await _simulate(client, admin, created.json()["data"]["id"], 5)
    impact = simulated["impact"]
    assert (impact["eventsReplayed"], impact["matched"], impact["wouldRun"]) == (5, 4, 3)
    assert impact["stoppedByFrequencyCap"] == 1
    assert impact["customersAffected"] == 2
    day0 = seeded["day0"].date()
    assert impact["messagesPerDay"] == [
        {"date": (day0 + timedelta(days=n)).isoformat(), "count": 1} for n in range(3)
    ]


async def test_conditions_with_date_arithmetic_and_any_not(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    seeded = await _seed(app, factory, clock)
    # Signed up no earlier than 30 days before the event (all three, who signed up after
    # it), not Bob, and a long or a completed workout: only A's completed one at day0 13:00.
    conditions = {
        "all": [
            {"field": "customer.createdAt", "op": "gte", "value": {"daysFromNow": -30}},
            {"not": {"field": "customer.name", "op": "in", "value": ["Bob Baker"]}},
            {
                "any": [
                    {"field": "event.minutes", "op": "gt", "value": 60},
                    {"field": "event.status", "op": "eq", "value": "completed"},
                ]
            },
        ]
    }
    body = rule(conditions=conditions, frequencyCap={"maxRuns": 100, "perHours": 1})
    created = await client.post(URL, json=body, headers=admin.headers)
    simulated = await _simulate(client, admin, created.json()["data"]["id"], 100)
    assert simulated["impact"]["matched"] == 1
    (only,) = simulated["affected"]
    assert only["eventId"] == str(seeded["events"][4].id)
    assert only["reasons"][1] == "not: customer.name in ['Bob Baker']"
    assert only["reasons"][2] == "event.status eq 'completed' (was 'completed')"


async def _row_counts(app: FastAPI) -> dict[str, int]:
    async with app.state.sessionmaker() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


async def _outbox(app: FastAPI) -> list[tuple[Any, ...]]:
    async with app.state.sessionmaker() as session:
        rows = await session.execute(
            select(OutboxEvent.id, OutboxEvent.relayed_at, OutboxEvent.depth).order_by(
                OutboxEvent.id
            )
        )
        return [tuple(row) for row in rows.all()]


async def test_the_simulation_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    await _seed(app, factory, clock)
    created = await client.post(URL, json=rule(), headers=admin.headers)
    automation_id = created.json()["data"]["id"]
    counts, outbox = await _row_counts(app), await _outbox(app)
    async with app.state.sessionmaker() as session:
        audit_before = await session.scalar(text("SELECT count(*) FROM audit_log"))

    simulated = await _simulate(client, admin, automation_id, 100)
    assert simulated["impact"]["wouldRun"] == 4

    assert await _row_counts(app) == counts
    assert await _outbox(app) == outbox
    async with app.state.sessionmaker() as session:
        assert await session.scalar(text("SELECT count(*) FROM audit_log")) == audit_before
        assert await session.scalar(text("SELECT count(*) FROM customer_tags")) == 0
        assert await session.scalar(text("SELECT count(*) FROM notifications")) == 0


async def test_the_sample_size_is_bounded_and_the_automation_must_exist(
    client: httpx.AsyncClient, admin: Account
) -> None:
    created = await client.post(URL, json=rule(), headers=admin.headers)
    automation_id = created.json()["data"]["id"]
    for size in (0, 1001, "ten"):
        response = await client.post(
            f"{URL}/{automation_id}/simulate", json={"sampleSize": size}, headers=admin.headers
        )
        assert_error(response, 422, code="validation_failed")
    missing = await client.post(
        f"{URL}/00000000-0000-4000-8000-000000000000/simulate",
        json={"sampleSize": 10},
        headers=admin.headers,
    )
    assert_error(missing, 404, code="automation_not_found")
