"""Training's events through HTTP: a completion records `PlanItemCompleted` in its transaction
(a repeat records nothing), reaches the feed of the customer's coach (who can mute it), a badge
is announced to its customer, and a substitution is told to the coach, who reverts it, which is
told to the customer."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import OutboxEvent
from tests.factories import Account, Factory
from tests.notifications.helpers import inbox
from tests.training.helpers import (
    follow,
    intake,
    library_exercise,
    log_item,
    set_local_time,
    training_plan,
)

DAILY = {"day": 1, "exercise": "Squats", "sets": 3, "reps": "8"}


async def _events(app: FastAPI, kind: str) -> list[OutboxEvent]:
    async with app.state.sessionmaker() as session:
        return list(
            await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.type == kind)
                .order_by(OutboxEvent.recorded_at)
            )
        )


async def _daily_plan(factory: Factory, customer: Account) -> tuple[str, str]:
    admin = await factory.admin()
    plan = await training_plan(factory, admin, [DAILY])
    await follow(
        factory, admin, plan["id"], customer, date(2026, 12, 7), {"kind": "cycle", "cycleDays": 1}
    )
    return plan["id"], plan["items"][0]["id"]


async def _titles(factory: Factory, account: Account) -> list[str]:
    return [item["title"] for item in (await inbox(factory.client, account))["items"]]


async def test_a_completion_records_its_event_once_and_reaches_the_coachs_feed(
    factory: Factory, app: FastAPI, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T12:00:00", "UTC")
    coach, customer = await factory.coach(), await factory.customer(name="Ann")
    await factory.assign_coach(coach, customer)
    plan_id, item_id = await _daily_plan(factory, customer)

    for _ in range(2):
        response = await log_item(factory, customer, plan_id, item_id, feedback="good")
        assert response.status_code == 200, response.text
    [event] = await _events(app, "training.plan_item_completed")
    assert (event.subject_type, event.subject_id, event.actor_id) == (
        "strength",
        item_id,
        customer.id,
    )
    assert event.payload == {
        "customer_id": customer.user_id,
        "plan_id": plan_id,
        "local_date": "2026-12-07",
        "status": "completed",
    }
    feed = (await inbox(factory.client, coach))["items"]
    assert [(item["category"], item["title"]) for item in feed] == [
        ("client_activity", "Ann completed a workout")
    ]
    assert feed[0]["data"]["itemId"] == item_id
    # The customer hears of their badge, not of their own completion.
    assert await _titles(factory, customer) == ["New badge: First workout"]
    [badge] = await _events(app, "training.badge_awarded")
    assert badge.payload["badge"] == "first_workout"

    # An undo is recorded (the streak moves back) but is no news to the coach.
    undone = await log_item(factory, customer, plan_id, item_id, status="pending")
    assert undone.status_code == 200, undone.text
    events = await _events(app, "training.plan_item_completed")
    assert [one.payload["status"] for one in events] == ["completed", "pending"]
    assert len((await inbox(factory.client, coach))["items"]) == 1


async def test_a_coach_mutes_the_feed_in_their_preferences(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T12:00:00", "UTC")
    coach, customer = await factory.coach(), await factory.customer(name="Ben")
    await factory.assign_coach(coach, customer)
    plan_id, item_id = await _daily_plan(factory, customer)
    muted = await factory.client.put(
        "/api/v1/notifications/preferences",
        json={"channels": [{"category": "client_activity", "channel": "in_app", "enabled": False}]},
        headers=coach.headers,
    )
    assert muted.status_code == 200, muted.text

    response = await log_item(factory, customer, plan_id, item_id, status="skipped")
    assert response.status_code == 200, response.text
    assert (await inbox(factory.client, coach))["items"] == []


async def test_a_substitution_is_told_to_the_coach_who_reverts_it(
    factory: Factory, app: FastAPI, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T10:00:00", "UTC")
    admin, coach = await factory.admin(), await factory.coach()
    customer = await factory.customer(name="Cleo")
    await factory.assign_coach(coach, customer)
    await intake(factory, customer)
    await library_exercise(factory, coach, "Base squat")
    safe = await library_exercise(factory, coach, "Box squat to bench top")
    plan = await training_plan(
        factory, admin, [{"day": 1, "exercise": "Base squat", "sets": 3, "reps": "8"}]
    )
    item_id = plan["items"][0]["id"]
    await follow(factory, admin, plan["id"], customer, date(2026, 12, 7))
    url = f"/api/v1/plans/{plan['id']}/substitutions"
    body: dict[str, Any] = {"itemId": item_id, "alternativeId": safe, "reason": "knees"}

    for _ in range(2):
        done = await factory.client.post(url, json=body, headers=customer.headers)
        assert done.status_code == 200, done.text
    substitution_id = done.json()["data"]["substitution"]["id"]
    [applied] = await _events(app, "training.substitution_applied")
    assert applied.subject_id == substitution_id
    [told] = (await inbox(factory.client, coach))["items"]
    assert told["category"] == "client_activity"
    assert told["title"] == "Cleo swapped Base squat for Box squat to bench top"
    assert told["data"]["substitutionId"] == substitution_id
    assert told["data"]["planId"] == plan["id"]

    reverted = await factory.client.delete(
        f"{url}/{told['data']['substitutionId']}", headers=coach.headers
    )
    assert reverted.status_code == 200, reverted.text
    [event] = await _events(app, "training.substitution_reverted")
    assert (event.subject_id, event.actor_id) == (substitution_id, coach.id)
    assert await _titles(factory, customer) == ["Your plan's exercise is back"]


async def test_a_customer_reverting_their_own_substitution_is_told_nothing(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T10:00:00", "UTC")
    admin, coach, customer = await factory.admin(), await factory.coach(), await factory.customer()
    await intake(factory, customer)
    await library_exercise(factory, coach, "Base squat")
    safe = await library_exercise(factory, coach, "Box squat to bench top")
    plan = await training_plan(
        factory, admin, [{"day": 1, "exercise": "Base squat", "sets": 3, "reps": "8"}]
    )
    await follow(factory, admin, plan["id"], customer, date(2026, 12, 7))
    url = f"/api/v1/plans/{plan['id']}/substitutions"
    done = await factory.client.post(
        url,
        json={"itemId": plan["items"][0]["id"], "alternativeId": safe, "reason": "knees"},
        headers=customer.headers,
    )
    assert done.status_code == 200, done.text
    substitution_id = done.json()["data"]["substitution"]["id"]
    reverted = await factory.client.delete(f"{url}/{substitution_id}", headers=customer.headers)
    assert reverted.status_code == 200, reverted.text
    assert await _titles(factory, customer) == []
