"""Admins set one user's free days: the trial is lengthened, or started when there is none."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.factories import Factory, assert_error

SETTINGS = "/api/v1/admin/settings"
USER_FREE_DAYS = f"{SETTINGS}/user/free-days"
FORBIDDEN = "You do not have permission to perform this action"


async def _subscription_of(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 200, response.text
    subscription: dict[str, Any] = response.json()["data"]["subscriptionStatus"]["subscription"]
    return subscription


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


async def test_only_admins_set_a_users_free_days(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    coach = await factory.coach()
    for account in (customer, coach):
        response = await client.post(
            USER_FREE_DAYS,
            json={"userId": customer.user_id, "freeDays": 90},
            headers=account.headers,
        )
        assert_error(response, 403, FORBIDDEN)
