"""Admins grant paid subscriptions."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.factories import Factory, assert_error

USERS = "/api/v1/admin/users"
FORBIDDEN = "You do not have permission to perform this action"


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_grant_a_paid_subscription(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    assert (await _me(client, customer.headers))["subscriptionType"] == "free"

    response = await client.post(
        f"{USERS}/{customer.user_id}/subscription",
        json={"type": "paid", "days": 30},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "success"
    subscription = response.json()["data"]["subscription"]
    uuid.UUID(subscription["id"])
    assert (
        subscription["type"],
        subscription["isFree"],
        subscription["freeDays"],
        subscription["days"],
        subscription["isActive"],
    ) == ("paid", False, None, 30, True)

    me = await _me(client, customer.headers)
    assert (me["isSubscribed"], me["subscriptionType"]) == (True, "paid")
    assert me["subscriptionStatus"]["subscription"]["id"] == subscription["id"]


async def test_grant_to_an_unknown_user_is_404(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    response = await client.post(
        f"{USERS}/{uuid.uuid4()}/subscription",
        json={"type": "paid", "days": 30},
        headers=admin.headers,
    )
    assert_error(response, 404, "User not found")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "free", "days": 30}, "type: Input should be 'paid'"),
        ({"days": 30}, "type is required"),
        ({"type": "paid"}, "days is required"),
        ({"type": "paid", "days": 0}, None),
        ({"type": "paid", "days": 3651}, None),
        ({"type": "paid", "days": "30"}, None),
        (
            {"type": "paid", "days": 30, "startsAt": "2026-01-01"},
            "startsAt is not an accepted field",
        ),
    ],
)
async def test_invalid_grants_are_422(
    client: httpx.AsyncClient, factory: Factory, body: dict[str, Any], message: str | None
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    response = await client.post(
        f"{USERS}/{customer.user_id}/subscription", json=body, headers=admin.headers
    )
    assert_error(response, 422, message)
    assert (await _me(client, customer.headers))["subscriptionType"] == "free"


async def test_only_admins_grant_subscriptions(client: httpx.AsyncClient, factory: Factory) -> None:
    customer = await factory.customer()
    coach = await factory.coach()
    path = f"{USERS}/{customer.user_id}/subscription"
    for account in (coach, customer):
        response = await client.post(
            path, json={"type": "paid", "days": 30}, headers=account.headers
        )
        assert_error(response, 403, FORBIDDEN)
    assert_error(await client.post(path, json={"type": "paid", "days": 30}), 401)
