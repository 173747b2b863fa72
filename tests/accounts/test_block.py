"""Admins block users (which ends every session) and unblock them."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.factories import STRONG_PASSWORD, Account, Factory, assert_error

USERS = "/api/v1/admin/users"
FORBIDDEN = "You do not have permission to perform this action"


async def _password_login(client: httpx.AsyncClient, account: Account) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login", json={"provider": account.phone, "password": STRONG_PASSWORD}
    )


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_blocking_ends_every_way_in(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    second_login = await _password_login(client, customer)
    assert second_login.status_code == 200
    second_refresh = second_login.json()["data"]["refreshToken"]

    response = await client.post(f"{USERS}/{customer.user_id}/block", headers=admin.headers)
    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "User blocked successfully"}

    me = await client.get("/api/v1/auth/me", headers=customer.headers)
    assert_error(me, 403, "Account is blocked")
    for refresh_token in (customer.refresh_token, second_refresh):
        refreshed = await client.post(
            "/api/v1/auth/refresh-token", json={"refreshToken": refresh_token}
        )
        assert_error(refreshed, 401, "Invalid or expired refresh token")
    assert_error(await _password_login(client, customer), 403, "Account is blocked")
    assert (await _me(client, admin.headers))["user"]["isBlocked"] is False


async def test_unblocking_lets_the_user_sign_in_again(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    assert (
        await client.post(f"{USERS}/{customer.user_id}/block", headers=admin.headers)
    ).status_code == 200

    response = await client.post(f"{USERS}/{customer.user_id}/unblock", headers=admin.headers)
    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "User unblocked successfully"}

    login = await _password_login(client, customer)
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['data']['accessToken']['token']}"}
    assert (await _me(client, headers))["user"]["isBlocked"] is False
    refreshed = await client.post(
        "/api/v1/auth/refresh-token", json={"refreshToken": customer.refresh_token}
    )
    assert_error(refreshed, 401, "Invalid or expired refresh token")


async def test_blocking_and_unblocking_are_idempotent(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    for action in ("block", "block", "unblock", "unblock"):
        response = await client.post(f"{USERS}/{customer.user_id}/{action}", headers=admin.headers)
        assert response.status_code == 200, response.text
    assert (await _password_login(client, customer)).status_code == 200


async def test_admins_cannot_block_themselves(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    response = await client.post(f"{USERS}/{admin.user_id}/block", headers=admin.headers)
    assert_error(response, 422, "You cannot block your own account")
    assert (await _me(client, admin.headers))["user"]["isBlocked"] is False


async def test_an_admin_may_block_another_admin(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, other_admin = await factory.admin(), await factory.admin()
    response = await client.post(f"{USERS}/{other_admin.user_id}/block", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert_error(await _password_login(client, other_admin), 403, "Account is blocked")


@pytest.mark.parametrize("action", ["block", "unblock"])
async def test_blocking_unknown_or_malformed_users(
    client: httpx.AsyncClient, factory: Factory, action: str
) -> None:
    admin = await factory.admin()
    response = await client.post(f"{USERS}/{uuid.uuid4()}/{action}", headers=admin.headers)
    assert_error(response, 404, "User not found")
    response = await client.post(f"{USERS}/not-a-uuid/{action}", headers=admin.headers)
    assert_error(response, 422)


@pytest.mark.parametrize("action", ["block", "unblock"])
async def test_only_admins_block_users(
    client: httpx.AsyncClient, factory: Factory, action: str
) -> None:
    customer = await factory.customer()
    coach = await factory.coach()
    for account in (coach, customer):
        response = await client.post(
            f"{USERS}/{customer.user_id}/{action}", headers=account.headers
        )
        assert_error(response, 403, FORBIDDEN)
    assert_error(await client.post(f"{USERS}/{customer.user_id}/{action}"), 401)
    assert (await _password_login(client, customer)).status_code == 200
