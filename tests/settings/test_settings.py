"""Admin settings of the auth-flow update: default free days, and reading every setting."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import Account, Factory, assert_error

SETTINGS = "/api/v1/admin/settings"
FREE_DAYS = f"{SETTINGS}/free-days/default"
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
        "SUBSCRIPTION_POLICY": None,
        "WAITLIST_POLICY": None,
        "COMMUNITY_POLICY": None,
        "SUPPORT_POLICY": None,
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


async def test_only_admins_read_settings(client: httpx.AsyncClient, factory: Factory) -> None:
    customer = await factory.customer()
    coach = await factory.coach()
    for account in (customer, coach):
        assert_error(await client.get(SETTINGS, headers=account.headers), 403, FORBIDDEN)
    assert_error(await client.get(SETTINGS), 401, "Authentication required")
