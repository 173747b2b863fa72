"""Building plans that customers follow, through the API, and moving the clock to local times."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fitcoach.core.clock import FrozenClock
from fitcoach.training.exercises.service import exercises_service
from tests.factories import Account, Factory


def set_local_time(clock: FrozenClock, moment: str, timezone: str) -> None:
    """Move the frozen clock to `moment` (ISO, no zone) as read in `timezone`."""
    target = datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(timezone))
    clock.advance(seconds=(target - clock.now()).total_seconds())


async def seed_library(factory: Factory) -> None:
    async with factory.app.state.sessionmaker() as session, session.begin():
        await exercises_service.seed_library(session, factory.now)


async def training_plan(
    factory: Factory, staff: Account, items: list[dict[str, Any]], **fields: Any
) -> dict[str, Any]:
    body = {"type": "training", "name": "Strength", "items": items, **fields}
    response = await factory.client.post("/api/v1/plans", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    plan: dict[str, Any] = response.json()["data"]
    return plan


async def follow(
    factory: Factory,
    staff: Account,
    plan_id: str,
    customer: Account,
    start: date,
    schedule: dict[str, Any] | None = None,
) -> None:
    if schedule is not None:
        response = await factory.client.put(
            f"/api/v1/plans/{plan_id}/schedule", json=schedule, headers=staff.headers
        )
        assert response.status_code == 200, response.text
    response = await factory.client.post(
        f"/api/v1/plans/{plan_id}/assignments",
        json={"customerId": customer.user_id, "startDate": start.isoformat()},
        headers=staff.headers,
    )
    assert response.status_code == 200, response.text


DAILY = {"day": 1, "exercise": "Squats", "sets": 3, "reps": "8"}


async def daily_plan(factory: Factory, customer: Account, start: date) -> tuple[str, str]:
    """A plan of one item every day, followed by `customer` from `start`: (plan id, item id)."""
    admin = await factory.admin()
    plan = await training_plan(factory, admin, [DAILY])
    await follow(factory, admin, plan["id"], customer, start, {"kind": "cycle", "cycleDays": 1})
    return plan["id"], plan["items"][0]["id"]


async def achievements_of(factory: Factory, customer: Account) -> dict[str, Any]:
    response = await factory.client.get("/api/v1/me/achievements", headers=customer.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def set_timezone(factory: Factory, customer: Account, timezone: str) -> None:
    response = await factory.client.put(
        "/api/v1/me/timezone", json={"timezone": timezone}, headers=customer.headers
    )
    assert response.status_code == 200, response.text


async def today(factory: Factory, customer: Account, **params: str) -> dict[str, Any]:
    response = await factory.client.get(
        "/api/v1/plans/today", params=params, headers=customer.headers
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def log_item(
    factory: Factory, customer: Account, plan_id: str, item_id: str, **body: Any
) -> Any:
    body.setdefault("status", "completed")
    return await factory.client.patch(
        f"/api/v1/plans/{plan_id}/items/{item_id}", json=body, headers=customer.headers
    )


async def refresh(factory: Factory, account: Account) -> None:
    """New tokens for `account` after the clock moved past its access token's life."""
    response = await factory.client.post(
        "/api/v1/auth/refresh-token", json={"refreshToken": account.refresh_token}
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    account.access_token = data["accessToken"]["token"]
    account.refresh_token = data["refreshToken"]
    account.headers = {"Authorization": f"Bearer {account.access_token}"}


async def library_exercise(factory: Factory, coach: Account, name: str, **fields: Any) -> str:
    """A library exercise of its own muscle, made by `coach`; its id."""
    body = {
        "name": name,
        "category": "legs",
        "movementPattern": "squat",
        "instructions": "Sit down and stand up.",
        # A muscle of its own, so the migration's seeded squats (present before the first
        # test's clean-up) are no alternatives here.
        "primaryMuscles": ["test_quads"],
        "equipment": ["none"],
        **fields,
    }
    response = await factory.client.post("/api/v1/exercises", json=body, headers=coach.headers)
    assert response.status_code == 201, response.text
    exercise_id: str = response.json()["data"]["id"]
    return exercise_id


async def intake(factory: Factory, customer: Account) -> None:
    """The customer's intake: bodyweight only, and joint or back pain."""
    await factory.first_questionnaire()
    response = await factory.client.post(
        "/api/v1/onboarding/intake",
        json={
            "goals": ["build_muscle"],
            "preferences": {"equipment": ["none"]},
            "healthFlags": ["joint_or_back_pain"],
            "consentAccepted": True,
        },
        headers=customer.headers,
    )
    assert response.status_code in (200, 201), response.text
