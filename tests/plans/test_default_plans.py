"""Admins choose the default training and diet plans (templates of the type)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.factories import Account, Factory, assert_error
from tests.plans.payloads import create_plan

SETTINGS = "/api/v1/admin/settings"
FORBIDDEN = "You do not have permission to perform this action"


async def _settings(client: httpx.AsyncClient, admin: Account) -> dict[str, Any]:
    response = await client.get(SETTINGS, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "success"
    settings: dict[str, Any] = response.json()["data"]["settings"]
    return settings


@pytest.mark.parametrize("plan_type", ["training", "diet"])
async def test_set_a_default_plan(
    client: httpx.AsyncClient, factory: Factory, plan_type: str
) -> None:
    admin = await factory.admin()
    coach = await factory.coach()
    first = await create_plan(client, coach, plan_type)
    second = await create_plan(client, admin, plan_type)
    key = f"DEFAULT_{plan_type.upper()}_PLAN_ID"
    path = f"{SETTINGS}/{plan_type}-plan/default"

    for plan in (first, second):
        response = await client.post(path, json={"planId": plan["id"]}, headers=admin.headers)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "status": "success",
            "message": f"Default {plan_type} plan updated successfully",
        }
        assert (await _settings(client, admin))[key] == plan["id"]


@pytest.mark.parametrize(("plan_type", "other_type"), [("training", "diet"), ("diet", "training")])
async def test_a_default_plan_must_be_a_template_of_the_type(
    client: httpx.AsyncClient, factory: Factory, plan_type: str, other_type: str
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    wrong_type = await create_plan(client, admin, other_type)
    custom = await create_plan(client, admin, plan_type, userId=customer.user_id)
    path = f"{SETTINGS}/{plan_type}-plan/default"

    response = await client.post(path, json={"planId": str(uuid.uuid4())}, headers=admin.headers)
    assert_error(response, 404, "Plan not found")
    response = await client.post(path, json={"planId": wrong_type["id"]}, headers=admin.headers)
    assert_error(response, 422, f"Plan is not a {plan_type} plan")
    response = await client.post(path, json={"planId": custom["id"]}, headers=admin.headers)
    assert_error(
        response, 422, "Only a template plan (one not assigned to a user) can be a default"
    )
    response = await client.post(path, json={"planId": "not-a-uuid"}, headers=admin.headers)
    assert_error(response, 422)
    response = await client.post(path, json={}, headers=admin.headers)
    assert_error(response, 422, "planId is required")
    assert (await _settings(client, admin))[f"DEFAULT_{plan_type.upper()}_PLAN_ID"] is None


@pytest.mark.parametrize("plan_type", ["training", "diet"])
async def test_only_admins_set_default_plans(
    client: httpx.AsyncClient, factory: Factory, plan_type: str
) -> None:
    coach = await factory.coach()
    plan = await create_plan(client, coach, plan_type)
    path = f"{SETTINGS}/{plan_type}-plan/default"
    for account in (coach, await factory.customer()):
        response = await client.post(path, json={"planId": plan["id"]}, headers=account.headers)
        assert_error(response, 403, FORBIDDEN)
    assert_error(await client.post(path, json={"planId": plan["id"]}), 401)
