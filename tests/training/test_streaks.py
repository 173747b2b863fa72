"""Streaks and badges through HTTP with a moved clock: local days across DST and a change of
time zone, rest days, freezes, and badges awarded once under concurrent completions."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import OutboxEvent
from tests.factories import Factory
from tests.notifications.helpers import inbox
from tests.training.helpers import (
    DAILY,
    achievements_of,
    daily_plan,
    follow,
    log_item,
    refresh,
    set_local_time,
    set_timezone,
    training_plan,
)


@pytest.mark.parametrize(
    ("timezone", "dst_day"),
    [("America/New_York", "2027-03-14"), ("Africa/Cairo", "2027-04-30")],
)
async def test_a_streak_counts_local_days_across_a_dst_change_at_23_59_and_00_01(
    factory: Factory, clock: FrozenClock, timezone: str, dst_day: str
) -> None:
    change = date.fromisoformat(dst_day)
    start = change - timedelta(days=2)
    set_local_time(clock, f"{start.isoformat()}T23:59:00", timezone)
    customer = await factory.customer()
    await set_timezone(factory, customer, timezone)
    plan_id, item_id = await daily_plan(factory, customer, start)
    # Day 1 at 23:59, day 2 at 00:01, the day of the clock change and the next at 23:59.
    moments = [
        f"{start.isoformat()}T23:59:00",
        f"{(start + timedelta(days=1)).isoformat()}T00:01:00",
        f"{change.isoformat()}T23:59:00",
        f"{(change + timedelta(days=1)).isoformat()}T23:59:00",
    ]
    for moment in moments:
        set_local_time(clock, moment, timezone)
        await refresh(factory, customer)
        response = await log_item(factory, customer, plan_id, item_id)
        assert response.status_code == 200, response.text
    achievements = await achievements_of(factory, customer)
    assert achievements["currentStreak"] == 4
    assert achievements["longestStreak"] == 4


async def test_rest_days_neither_break_nor_extend_and_a_missed_day_spends_a_freeze(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T12:00:00", "UTC")  # a Monday
    admin = await factory.admin()
    customer = await factory.customer()
    # Workouts on Monday, Wednesday and Friday; the other days are rest days.
    items = [{**DAILY, "day": day} for day in (1, 3, 5)]
    plan = await training_plan(factory, admin, items)
    await follow(factory, admin, plan["id"], customer, date(2026, 12, 7), {"kind": "weekdays"})
    by_day = {item["day"]: item["id"] for item in plan["items"]}

    for week in range(3):
        for offset, day in ((0, 1), (2, 3), (4, 5)):
            set_local_time(clock, f"2026-12-{7 + 7 * week + offset:02d}T12:00:00", "UTC")
            await refresh(factory, customer)
            await log_item(factory, customer, plan["id"], by_day[day])
    achievements = await achievements_of(factory, customer)
    assert achievements["currentStreak"] == 9
    assert achievements["freezes"] == 1  # earned at the 7th counted day
    assert {badge["badge"] for badge in achievements["badges"]} >= {
        "first_workout",
        "streak_7",
        "perfect_week",
    }

    # Monday 28 missed; Wednesday 30 done: the freeze covers Monday.
    set_local_time(clock, "2026-12-30T12:00:00", "UTC")
    await refresh(factory, customer)
    await log_item(factory, customer, plan["id"], by_day[3])
    achievements = await achievements_of(factory, customer)
    assert achievements["currentStreak"] == 10
    assert achievements["freezes"] == 0
    assert achievements["freezesUsed"] == 1

    # Friday missed with no freeze left: Monday starts again.
    set_local_time(clock, "2027-01-04T12:00:00", "UTC")
    await refresh(factory, customer)
    await log_item(factory, customer, plan["id"], by_day[1])
    achievements = await achievements_of(factory, customer)
    assert achievements["currentStreak"] == 1
    assert achievements["longestStreak"] == 10


async def test_a_change_of_time_zone_keeps_the_days_already_logged(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T23:30:00", "Africa/Cairo")
    customer = await factory.customer()
    await set_timezone(factory, customer, "Africa/Cairo")
    plan_id, item_id = await daily_plan(factory, customer, date(2026, 12, 7))
    first = await log_item(factory, customer, plan_id, item_id)
    assert first.json()["data"]["date"] == "2026-12-07"
    # Flying west: 22:30 UTC is still the 7th in New York, then the 8th there.
    await set_timezone(factory, customer, "America/New_York")
    set_local_time(clock, "2026-12-08T20:00:00", "America/New_York")
    await refresh(factory, customer)
    second = await log_item(factory, customer, plan_id, item_id)
    assert second.json()["data"]["date"] == "2026-12-08"
    assert second.json()["data"]["streak"] == 2


async def test_badges_are_awarded_once_under_20_concurrent_completions(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T12:00:00", "UTC")
    customer = await factory.customer()
    plan_id, item_id = await daily_plan(factory, customer, date(2026, 12, 7))
    responses = await asyncio.gather(
        *(log_item(factory, customer, plan_id, item_id, feedback=f"try {n}") for n in range(20))
    )
    assert all(response.status_code == 200 for response in responses), [
        response.text for response in responses if response.status_code != 200
    ]
    achievements = await achievements_of(factory, customer)
    assert [badge["badge"] for badge in achievements["badges"]] == ["first_workout"]
    assert achievements["currentStreak"] == 1
    assert achievements["workouts"] == 1
    # One BadgeAwarded, and so one notification.
    async with factory.app.state.sessionmaker() as session:
        awarded = await session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.type == "training.badge_awarded")
        )
        assert [payload["badge"] for payload in awarded] == ["first_workout"]
    titles = [item["title"] for item in (await inbox(factory.client, customer))["items"]]
    assert titles == ["New badge: First workout"]
    assert achievements["nextBadge"] == {
        "badge": "perfect_week",
        "name": "Perfect week",
        "progress": 0,
        "target": 1,
    }


async def test_the_admins_policy_sets_the_freeze_rate_and_who_else_may_not(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T12:00:00", "UTC")
    admin = await factory.admin()
    customer = await factory.customer()
    policy = {"dayShare": 50, "freezeEveryDays": 2, "maxFreezes": 1}
    refused = await factory.client.put(
        "/api/v1/admin/settings/streaks", json=policy, headers=customer.headers
    )
    assert refused.status_code == 403, refused.text
    bad = await factory.client.put(
        "/api/v1/admin/settings/streaks", json={**policy, "dayShare": 0}, headers=admin.headers
    )
    assert bad.status_code == 422, bad.text
    response = await factory.client.put(
        "/api/v1/admin/settings/streaks", json=policy, headers=admin.headers
    )
    assert response.status_code == 200, response.text

    plan_id, item_id = await daily_plan(factory, customer, date(2026, 12, 7))
    for day in ("2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10"):
        set_local_time(clock, f"{day}T12:00:00", "UTC")
        await refresh(factory, customer)
        await log_item(factory, customer, plan_id, item_id)
    achievements = await achievements_of(factory, customer)
    assert achievements["currentStreak"] == 4
    assert achievements["freezes"] == 1  # one every 2 days, at most 1 in stock


async def test_an_admin_defined_badge_is_earned_like_the_built_in_ones(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T12:00:00", "UTC")
    admin = await factory.admin()
    customer = await factory.customer()
    badge = {"code": "three_sessions", "name": "Three sessions", "measure": "workouts", "target": 3}
    created = await factory.client.post("/api/v1/admin/badges", json=badge, headers=admin.headers)
    assert created.status_code == 201, created.text
    again = await factory.client.post("/api/v1/admin/badges", json=badge, headers=admin.headers)
    assert again.status_code == 409, again.text
    built_in = await factory.client.post(
        "/api/v1/admin/badges", json={**badge, "code": "streak_7"}, headers=admin.headers
    )
    assert built_in.status_code == 409, built_in.text
    refused = await factory.client.post(
        "/api/v1/admin/badges", json={**badge, "code": "mine"}, headers=customer.headers
    )
    assert refused.status_code == 403, refused.text

    plan_id, item_id = await daily_plan(factory, customer, date(2026, 12, 7))
    for day in ("2026-12-07", "2026-12-08", "2026-12-09"):
        set_local_time(clock, f"{day}T12:00:00", "UTC")
        await refresh(factory, customer)
        await log_item(factory, customer, plan_id, item_id)
    earned = {
        one["badge"]: one["name"] for one in (await achievements_of(factory, customer))["badges"]
    }
    assert earned["three_sessions"] == "Three sessions"


async def test_editing_the_plan_does_not_rewrite_days_already_logged(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T12:00:00", "UTC")
    admin = await factory.admin()
    customer = await factory.customer()
    plan = await training_plan(factory, admin, [DAILY])
    await follow(
        factory, admin, plan["id"], customer, date(2026, 12, 7), {"kind": "cycle", "cycleDays": 1}
    )
    await log_item(factory, customer, plan["id"], plan["items"][0]["id"])
    # The plan's items are replaced (new ids) by its coach's edit.
    edited = await factory.client.patch(
        f"/api/v1/plans/{plan['id']}",
        json={"items": [{**DAILY, "exercise": "Lunges"}]},
        headers=admin.headers,
    )
    assert edited.status_code == 200, edited.text
    set_local_time(clock, "2026-12-08T12:00:00", "UTC")
    await refresh(factory, customer)
    await refresh(factory, admin)
    response = await log_item(
        factory, customer, plan["id"], edited.json()["data"]["items"][0]["id"]
    )
    assert response.json()["data"]["streak"] == 2
