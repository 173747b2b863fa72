"""Admin settings of the auth-flow update: default free days, default plans, one user's free
days, and reading every setting."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.factories import Account, Factory, assert_error
from tests.plans.payloads import create_plan

SETTINGS = "/api/v1/admin/settings"
FREE_DAYS = f"{SETTINGS}/free-days/default"
USER_FREE_DAYS = f"{SETTINGS}/user/free-days"
FORBIDDEN = "You do not have permission to perform this action"


async def _settings(client: httpx.AsyncClient, admin: Account) -> dict[str, Any]:
    response = await client.get(SETTINGS, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "success"
    settings: dict[str, Any] = response.json()["data"]["settings"]
    return settings


async def _subscription_of(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 200, response.text
    subscription: dict[str, Any] = response.json()["data"]["subscriptionStatus"]["subscription"]
    return subscription


async def test_settings_have_defaults(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    assert await _settings(client, admin) == {
        "DEFAULT_FREE_DAYS": "7",
        "DEFAULT_TRAINING_PLAN_ID": None,
        "DEFAULT_DIET_PLAN_ID": None,
        "STREAK_POLICY": None,
    }


async def test_default_free_days_apply_to_new_registrations(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    response = await client.post(FREE_DAYS, json={"days": 14}, headers=admin.headers)
    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "message": "Default free days updated successfully",
    }
    assert (await _settings(client, admin))["DEFAULT_FREE_DAYS"] == "14"

    registered = await factory.register_by_otp()
    headers = {"Authorization": f"Bearer {registered['accessToken']['token']}"}
    subscription = await _subscription_of(client, headers)
    assert (subscription["freeDays"], subscription["isFree"], subscription["isActive"]) == (
        14,
        True,
        True,
    )


async def test_zero_default_free_days_means_no_trial(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    response = await client.post(FREE_DAYS, json={"days": 0}, headers=admin.headers)
    assert response.status_code == 200, response.text
    registered = await factory.register_by_otp()
    response = await client.get(
        "/api/v1/auth/me",
        headers={"Authorization": f"Bearer {registered['accessToken']['token']}"},
    )
    assert response.json()["data"]["isSubscribed"] is False


async def test_only_admins_set_default_free_days(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    for account in (await factory.customer(), await factory.coach()):
        response = await client.post(FREE_DAYS, json={"days": 14}, headers=account.headers)
        assert_error(response, 403, "Only admins can set default free days")
    assert_error(await client.post(FREE_DAYS, json={"days": 14}), 401, "Authentication required")


@pytest.mark.parametrize(
    "body",
    [
        {"days": -1},
        {"days": 366},
        {"days": "7"},
        {"days": 7.5},
        {"days": True},
        {},
        {"days": 7, "x": 1},
    ],
)
async def test_invalid_default_free_days_are_422(
    client: httpx.AsyncClient, factory: Factory, body: dict[str, Any]
) -> None:
    admin = await factory.admin()
    assert_error(await client.post(FREE_DAYS, json=body, headers=admin.headers), 422)
    assert (await _settings(client, admin))["DEFAULT_FREE_DAYS"] == "7"


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


async def test_set_one_users_free_days(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    before = await _subscription_of(client, customer.headers)
    response = await client.post(
        USER_FREE_DAYS, json={"userId": customer.user_id, "freeDays": 30}, headers=admin.headers
    )
    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "message": "User free days updated successfully",
    }
    after = await _subscription_of(client, customer.headers)
    assert (after["id"], after["freeDays"], after["startDate"]) == (
        before["id"],
        30,
        before["startDate"],
    )
    assert after["endDate"] > before["endDate"]


async def test_free_days_for_a_user_without_a_trial_start_one(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    customer = await factory.customer(with_free_trial=False)
    response = await client.post(
        USER_FREE_DAYS, json={"userId": customer.user_id, "freeDays": 3}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    subscription = await _subscription_of(client, customer.headers)
    assert (subscription["freeDays"], subscription["isActive"]) == (3, True)


async def test_free_days_for_an_unknown_user_is_404(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    response = await client.post(
        USER_FREE_DAYS, json={"userId": str(uuid.uuid4()), "freeDays": 3}, headers=admin.headers
    )
    assert_error(response, 404, "User not found")


@pytest.mark.parametrize(
    "body",
    [
        {"freeDays": 3},
        {"userId": "not-a-uuid", "freeDays": 3},
        {"userId": "CUSTOMER"},
        {"userId": "CUSTOMER", "freeDays": 366},
        {"userId": "CUSTOMER", "freeDays": -1},
        {"userId": "CUSTOMER", "freeDays": "3"},
        {"userId": "CUSTOMER", "freeDays": 3, "days": 3},
    ],
)
async def test_invalid_user_free_days_are_422(
    client: httpx.AsyncClient, factory: Factory, body: dict[str, Any]
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    if body.get("userId") == "CUSTOMER":
        body = {**body, "userId": customer.user_id}
    assert_error(await client.post(USER_FREE_DAYS, json=body, headers=admin.headers), 422)
    assert (await _subscription_of(client, customer.headers))["freeDays"] == 7


async def test_only_admins_manage_settings(client: httpx.AsyncClient, factory: Factory) -> None:
    customer = await factory.customer()
    coach = await factory.coach()
    for account in (customer, coach):
        assert_error(await client.get(SETTINGS, headers=account.headers), 403, FORBIDDEN)
        response = await client.post(
            USER_FREE_DAYS,
            json={"userId": customer.user_id, "freeDays": 90},
            headers=account.headers,
        )
        assert_error(response, 403, FORBIDDEN)
    assert_error(await client.get(SETTINGS), 401, "Authentication required")
