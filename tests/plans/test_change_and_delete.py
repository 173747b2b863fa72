"""Changing and deleting plans: who may, what an update may touch, and default plans."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import PlanItem
from tests.factories import Factory, assert_error
from tests.plans.payloads import PLANS, create_plan, diet_item, set_default_plan, training_item

FORBIDDEN = "You do not have permission to perform this action"


async def _item_rows(app: FastAPI, plan_id: str) -> int:
    async with app.state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(PlanItem).where(PlanItem.plan_id == uuid.UUID(plan_id))
        )
    return int(count or 0)


async def test_author_renames_and_replaces_items(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    coach = await factory.coach()
    plan = await create_plan(client, coach)
    clock.advance(minutes=5)
    response = await client.patch(
        f"{PLANS}/{plan['id']}",
        json={
            "name": "  Week two  ",
            "items": [training_item(day=5, exercise="Deadlift", restSeconds=None, mediaUrl=None)],
        },
        headers=coach.headers,
    )
    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert updated["name"] == "Week two"
    assert updated["description"] == plan["description"]
    assert updated["createdAt"] == plan["createdAt"]
    assert updated["updatedAt"] > plan["updatedAt"]
    [item] = updated["items"]
    assert (item["position"], item["day"], item["exercise"], item["restSeconds"]) == (
        0,
        5,
        "Deadlift",
        None,
    )
    assert item["id"] not in {old["id"] for old in plan["items"]}
    assert await _item_rows(app, plan["id"]) == 1
    reread = await client.get(f"{PLANS}/{plan['id']}", headers=coach.headers)
    assert reread.json()["data"] == updated


async def test_description_is_cleared_with_null_and_untouched_fields_stay(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    plan = await create_plan(client, admin, "diet")
    response = await client.patch(
        f"{PLANS}/{plan['id']}", json={"description": None}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert updated["description"] is None
    assert (updated["name"], updated["items"]) == (plan["name"], plan["items"])


async def test_admin_changes_any_plan(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    coach = await factory.coach()
    customer = await factory.customer()
    await factory.assign_coach(coach, customer)
    plan = await create_plan(client, coach, "diet", userId=customer.user_id)
    response = await client.patch(
        f"{PLANS}/{plan['id']}",
        json={"items": [diet_item(), diet_item(day=2)]},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    assert [item["day"] for item in response.json()["data"]["items"]] == [1, 2]


async def test_who_may_change_a_plan(client: httpx.AsyncClient, factory: Factory) -> None:
    coach, other_coach = await factory.coach(), await factory.coach()
    customer = await factory.customer()
    await factory.assign_coach(coach, customer)
    template = await create_plan(client, coach)
    custom = await create_plan(client, coach, userId=customer.user_id)
    rename = {"name": "Taken over"}

    response = await client.patch(
        f"{PLANS}/{template['id']}", json=rename, headers=other_coach.headers
    )
    assert_error(response, 403, FORBIDDEN)
    response = await client.patch(
        f"{PLANS}/{custom['id']}", json=rename, headers=other_coach.headers
    )
    assert_error(response, 404, "Plan not found")
    response = await client.patch(f"{PLANS}/{custom['id']}", json=rename, headers=customer.headers)
    assert_error(response, 403, FORBIDDEN)
    response = await client.patch(f"{PLANS}/{custom['id']}", json=rename)
    assert_error(response, 401, "Authentication required")
    response = await client.patch(f"{PLANS}/{uuid.uuid4()}", json=rename, headers=coach.headers)
    assert_error(response, 404, "Plan not found")
    response = await client.patch(f"{PLANS}/not-a-uuid", json=rename, headers=coach.headers)
    assert_error(response, 422)

    reread = await client.get(f"{PLANS}/{custom['id']}", headers=coach.headers)
    assert reread.json()["data"]["name"] == custom["name"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"userId": str(uuid.uuid4())}, "userId is not an accepted field"),
        ({"type": "diet"}, "type is not an accepted field"),
        ({"ownerId": str(uuid.uuid4())}, "ownerId is not an accepted field"),
        ({"authorId": str(uuid.uuid4())}, "authorId is not an accepted field"),
        ({"name": None}, "name cannot be null"),
        ({"items": None}, "items cannot be null"),
        ({"name": ""}, None),
        ({"description": "x" * 5001}, None),
        ({"items": [diet_item()]}, "Items of a training plan must be training items"),
        (
            {"items": [training_item(), diet_item()]},
            "Items of a training plan must be training items",
        ),
        (
            {"items": [{"day": 1, "sets": 3}]},
            "items.0: Each item needs an exercise (training plan) or a meal (diet plan)",
        ),
        ({"items": [training_item(sets=0)]}, None),
        ({"items": [training_item(meal="Lunch")]}, None),
        ({"items": [training_item()] * 501}, None),
    ],
)
async def test_invalid_updates_are_422(
    client: httpx.AsyncClient, factory: Factory, body: dict[str, object], message: str | None
) -> None:
    coach = await factory.coach()
    plan = await create_plan(client, coach)
    response = await client.patch(f"{PLANS}/{plan['id']}", json=body, headers=coach.headers)
    assert_error(response, 422, message)
    reread = await client.get(f"{PLANS}/{plan['id']}", headers=coach.headers)
    assert reread.json()["data"] == plan


async def test_diet_plans_refuse_training_items(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    plan = await create_plan(client, admin, "diet")
    response = await client.patch(
        f"{PLANS}/{plan['id']}", json={"items": [training_item()]}, headers=admin.headers
    )
    assert_error(response, 422, "Items of a diet plan must be diet items")


async def test_author_deletes_a_plan(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    coach = await factory.coach()
    plan = await create_plan(client, coach)
    assert await _item_rows(app, plan["id"]) == 2
    response = await client.delete(f"{PLANS}/{plan['id']}", headers=coach.headers)
    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "Plan deleted successfully"}
    assert await _item_rows(app, plan["id"]) == 0
    assert_error(
        await client.get(f"{PLANS}/{plan['id']}", headers=coach.headers), 404, "Plan not found"
    )
    again = await client.delete(f"{PLANS}/{plan['id']}", headers=coach.headers)
    assert_error(again, 404, "Plan not found")


async def test_who_may_delete_a_plan(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    coach, other_coach = await factory.coach(), await factory.coach()
    customer = await factory.customer()
    await factory.assign_coach(coach, customer)
    template = await create_plan(client, coach)
    custom = await create_plan(client, coach, userId=customer.user_id)

    response = await client.delete(f"{PLANS}/{template['id']}", headers=other_coach.headers)
    assert_error(response, 403, FORBIDDEN)
    response = await client.delete(f"{PLANS}/{custom['id']}", headers=other_coach.headers)
    assert_error(response, 404, "Plan not found")
    response = await client.delete(f"{PLANS}/{custom['id']}", headers=customer.headers)
    assert_error(response, 403, FORBIDDEN)
    assert_error(await client.delete(f"{PLANS}/{custom['id']}"), 401, "Authentication required")
    assert_error(await client.delete(f"{PLANS}/not-a-uuid", headers=admin.headers), 422)

    for plan in (template, custom):
        response = await client.delete(f"{PLANS}/{plan['id']}", headers=admin.headers)
        assert response.status_code == 200, response.text


async def test_a_configured_default_cannot_be_deleted(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    training = await create_plan(client, admin, "training")
    replacement = await create_plan(client, admin, "training")
    await set_default_plan(client, admin, "training", training["id"])

    response = await client.delete(f"{PLANS}/{training['id']}", headers=admin.headers)
    assert_error(response, 409, "This plan is a configured default; choose another default first")
    assert (await client.get(f"{PLANS}/{training['id']}", headers=admin.headers)).status_code == 200

    await set_default_plan(client, admin, "training", replacement["id"])
    response = await client.delete(f"{PLANS}/{training['id']}", headers=admin.headers)
    assert response.status_code == 200, response.text
