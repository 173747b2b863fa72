"""A customer's day and logging it, through HTTP with a moved clock: the local day in the
customer's zone, rest days, no plan, idempotent completion and undo, metrics, access."""

from __future__ import annotations

from datetime import date

from fitcoach.core.clock import FrozenClock
from tests.factories import Factory, assert_error
from tests.training.helpers import (
    follow,
    log_item,
    refresh,
    set_local_time,
    set_timezone,
    today,
    training_plan,
)

SQUAT = {"day": 1, "exercise": "Squats", "sets": 3, "reps": "8"}
PUSH_UP = {"day": 3, "exercise": "Push-Ups", "sets": 3, "reps": "10"}


async def test_a_customer_without_a_plan_gets_an_empty_day_with_the_reason(
    factory: Factory, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    day = await today(factory, customer)
    assert day["items"] == []
    assert day["reason"] == "No plan has been assigned to you yet"
    assert day["restDay"] is False
    assert day["timezone"] == "UTC"


async def test_today_is_the_customers_local_day_at_23_59_and_00_01(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T23:59:00", "Africa/Cairo")  # 21:59 UTC, still Monday
    admin = await factory.admin()
    customer = await factory.customer()
    await set_timezone(factory, customer, "Africa/Cairo")
    plan = await training_plan(factory, admin, [SQUAT, PUSH_UP])
    # Weekdays: day 1 is Monday, day 3 Wednesday. 2026-12-07 is a Monday.
    await follow(factory, admin, plan["id"], customer, date(2026, 12, 7), {"kind": "weekdays"})

    monday = await today(factory, customer)
    assert monday["date"] == "2026-12-07"
    assert [item["name"] for item in monday["items"]] == ["Squats"]
    assert monday["items"][0]["log"]["status"] == "pending"

    clock.advance(minutes=2)  # 00:01 Tuesday in Cairo, 22:01 Monday in UTC
    tuesday = await today(factory, customer)
    assert tuesday["date"] == "2026-12-08"
    assert tuesday["restDay"] is True
    assert tuesday["reason"] == "Rest day: nothing is scheduled"
    # The same instant in UTC is still Monday; another day by query parameter.
    assert (await today(factory, customer, timezone="UTC"))["date"] == "2026-12-07"
    wednesday = await today(factory, customer, date="2026-12-09")
    assert [item["name"] for item in wednesday["items"]] == ["Push-Ups"]

    bad = await factory.client.get(
        "/api/v1/plans/today", params={"timezone": "Mars/Olympus"}, headers=customer.headers
    )
    assert_error(bad, 422)


async def test_a_cycle_repeats_from_the_start_date_and_not_before(
    factory: Factory, clock: FrozenClock
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    plan = await training_plan(factory, admin, [SQUAT, {**PUSH_UP, "day": 2}])
    await follow(
        factory, admin, plan["id"], customer, date(2026, 12, 10), {"kind": "cycle", "cycleDays": 3}
    )
    early = await today(factory, customer, date="2026-12-09")
    assert early["reason"] == "Your plan starts on 2026-12-10"
    names = [
        [item["name"] for item in (await today(factory, customer, date=f"2026-12-{day}"))["items"]]
        for day in (10, 11, 12, 13)
    ]
    assert names == [["Squats"], ["Push-Ups"], [], ["Squats"]]


async def test_completing_twice_is_one_completion_and_pending_undoes_it_the_same_day(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T10:00:00", "UTC")
    admin = await factory.admin()
    customer = await factory.customer()
    plan = await training_plan(factory, admin, [SQUAT])
    await follow(factory, admin, plan["id"], customer, date(2026, 12, 7), {"kind": "weekdays"})
    item_id = plan["items"][0]["id"]
    metrics = {"sets": 3, "reps": 8, "weight": {"value": 60, "unit": "kg"}, "rpe": 8}

    first = await log_item(factory, customer, plan["id"], item_id, metrics=metrics, feedback="ok")
    assert first.status_code == 200, first.text
    assert first.json()["data"]["streak"] == 1
    again = await log_item(factory, customer, plan["id"], item_id, metrics=metrics, feedback="ok")
    assert again.json()["data"]["streak"] == 1
    assert again.json()["data"]["loggedAt"] == first.json()["data"]["loggedAt"]

    day = await today(factory, customer)
    assert day["items"][0]["log"]["status"] == "completed"
    assert day["items"][0]["log"]["metrics"]["weight"] == {"value": 60.0, "unit": "kg"}
    assert day["totals"]["workoutVolumeKg"] == 1440.0

    undone = await log_item(factory, customer, plan["id"], item_id, status="pending")
    assert undone.status_code == 200, undone.text
    assert undone.json()["data"]["status"] == "pending"
    assert undone.json()["data"]["streak"] == 0
    assert (await today(factory, customer))["items"][0]["log"]["status"] == "pending"

    await log_item(factory, customer, plan["id"], item_id)
    clock.advance(days=1)
    await refresh(factory, customer)
    late_undo = await log_item(
        factory, customer, plan["id"], item_id, status="pending", date="2026-12-07"
    )
    assert_error(late_undo, 422, "A completion can only be set back to pending on the same day")


async def test_metrics_are_checked_for_the_items_type_with_units(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T10:00:00", "UTC")
    admin = await factory.admin()
    customer = await factory.customer()
    plan = await training_plan(factory, admin, [SQUAT])
    await follow(factory, admin, plan["id"], customer, date(2026, 12, 7), {"kind": "weekdays"})
    item_id = plan["items"][0]["id"]
    for metrics in (
        {"weight": {"value": 60, "unit": "stone"}},
        {"rpe": 11},
        {"calories": {"value": 300, "unit": "kcal"}},
        {"sets": "three"},
    ):
        response = await log_item(factory, customer, plan["id"], item_id, metrics=metrics)
        assert_error(response, 422)
        assert response.json()["message"].startswith("Invalid metrics for a strength item")
    future = await log_item(factory, customer, plan["id"], item_id, date="2026-12-08")
    assert_error(future, 422, "date cannot be after today in your time zone")
    not_that_day = await log_item(factory, customer, plan["id"], item_id, date="2026-12-06")
    assert_error(not_that_day, 422, "This item is not scheduled on that day of your plan")


async def test_a_habit_is_logged_in_its_own_unit(factory: Factory, clock: FrozenClock) -> None:
    set_local_time(clock, "2026-12-07T10:00:00", "UTC")
    admin = await factory.admin()
    customer = await factory.customer()
    plan = await training_plan(factory, admin, [SQUAT])
    created = await factory.client.post(
        f"/api/v1/plans/{plan['id']}/habits",
        json={"kind": "water", "name": "Water", "target": 2000},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    habit = created.json()["data"]
    assert habit["unit"] == "ml"
    await follow(factory, admin, plan["id"], customer, date(2026, 12, 7))
    wrong = await log_item(
        factory, customer, plan["id"], habit["id"], metrics={"value": 2, "unit": "l"}
    )
    assert_error(wrong, 422)
    logged = await log_item(
        factory, customer, plan["id"], habit["id"], metrics={"value": 2100, "unit": "ml"}
    )
    assert logged.status_code == 200, logged.text
    assert logged.json()["data"]["itemType"] == "habit"
    day = await today(factory, customer)
    assert day["habits"][0]["log"]["status"] == "completed"


async def test_customers_log_only_plans_they_follow_and_coaches_assign_only_their_clients(
    factory: Factory, clock: FrozenClock
) -> None:
    admin = await factory.admin()
    coach = await factory.coach()
    customer = await factory.customer()
    stranger = await factory.customer()
    plan = await training_plan(factory, admin, [SQUAT])
    item_id = plan["items"][0]["id"]
    await follow(factory, admin, plan["id"], customer, date(2026, 12, 1))

    not_followed = await log_item(factory, stranger, plan["id"], item_id)
    assert_error(not_followed, 404, "Plan not found among the plans you follow")
    not_a_customer = await log_item(factory, coach, plan["id"], item_id)
    assert_error(not_a_customer, 403)

    body = {"customerId": stranger.user_id, "startDate": "2026-12-01"}
    refused = await factory.client.post(
        f"/api/v1/plans/{plan['id']}/assignments", json=body, headers=coach.headers
    )
    assert_error(refused, 403, "Coaches can only manage the customers assigned to them")
    await factory.assign_coach(coach, stranger)
    allowed = await factory.client.post(
        f"/api/v1/plans/{plan['id']}/assignments", json=body, headers=coach.headers
    )
    assert allowed.status_code == 200, allowed.text

    # A custom plan is its customer's alone.
    custom = await training_plan(factory, admin, [SQUAT], userId=customer.user_id)
    theirs = await factory.client.post(
        f"/api/v1/plans/{custom['id']}/assignments", json=body, headers=admin.headers
    )
    assert_error(theirs, 422)


async def test_meals_count_planned_and_logged_calories_and_protein(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T10:00:00", "UTC")
    admin = await factory.admin()
    customer = await factory.customer()
    meals = [
        {"day": 1, "meal": "Breakfast", "foods": ["Oats"], "calories": 500, "protein_g": 30},
        {"day": 1, "meal": "Lunch", "foods": ["Rice"], "calories": 700, "protein_g": 40},
    ]
    response = await factory.client.post(
        "/api/v1/plans",
        json={"type": "diet", "name": "Cut", "items": meals},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    plan = response.json()["data"]
    await follow(factory, admin, plan["id"], customer, date(2026, 12, 7), {"kind": "weekdays"})
    breakfast = plan["items"][0]["id"]
    wrong = await log_item(factory, customer, plan["id"], breakfast, metrics={"sets": 3})
    assert_error(wrong, 422)
    logged = await log_item(
        factory,
        customer,
        plan["id"],
        breakfast,
        metrics={"calories": {"value": 450, "unit": "kcal"}, "protein": {"value": 28, "unit": "g"}},
    )
    assert logged.status_code == 200, logged.text
    assert logged.json()["data"]["itemType"] == "meal"
    totals = (await today(factory, customer))["totals"]
    assert totals == {
        "plannedCalories": 1200,
        "loggedCalories": 450.0,
        "plannedProteinG": 70.0,
        "loggedProteinG": 28.0,
        "workoutVolumeKg": 0.0,
    }


async def test_a_customer_habit_of_their_own_shows_every_day_and_is_theirs_alone(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T10:00:00", "UTC")
    coach = await factory.coach()
    other_coach = await factory.coach()
    customer = await factory.customer()
    stranger = await factory.customer()
    await factory.assign_coach(coach, customer)
    body = {"kind": "steps", "name": "Walk", "target": 8000}
    url = f"/api/v1/customers/{customer.user_id}/habits"
    assert_error(await factory.client.post(url, json=body, headers=other_coach.headers), 404)
    created = await factory.client.post(url, json=body, headers=coach.headers)
    assert created.status_code == 201, created.text
    habit = created.json()["data"]
    assert habit["planId"] is None
    assert habit["unit"] == "steps"

    day = await today(factory, customer)
    assert day["reason"] == "No plan has been assigned to you yet"
    assert [(one["name"], one["planId"]) for one in day["habits"]] == [("Walk", None)]
    logged = await factory.client.patch(
        f"/api/v1/me/habits/{habit['id']}",
        json={"status": "completed", "metrics": {"value": 9100, "unit": "steps"}},
        headers=customer.headers,
    )
    assert logged.status_code == 200, logged.text
    assert logged.json()["data"]["planId"] is None
    assert (await today(factory, customer))["habits"][0]["log"]["metrics"]["value"] == 9100
    not_theirs = await factory.client.patch(
        f"/api/v1/me/habits/{habit['id']}", json={"status": "completed"}, headers=stranger.headers
    )
    assert_error(not_theirs, 404, "Habit not found among your own habits")
