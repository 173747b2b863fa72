"""The new-user and existing-user flows of the auth-flow update, over HTTP."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
from fastapi import FastAPI

from fitcoach.core.clock import FrozenClock
from fitcoach.users.service import user_service
from tests.factories import Factory, assert_error, random_phone

SEND = "/api/v1/auth/otp/send"
LOGIN = "/api/v1/auth/otp/login"
REGISTER = "/api/v1/auth/otp/register"
ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)")


def assert_token_answer(data: dict, clock: FrozenClock) -> None:  # type: ignore[type-arg]
    assert set(data) == {"user", "accessToken", "refreshToken"}
    assert data["user"]["id"]
    assert "CUSTOMER" in data["user"]["roles"]
    assert data["accessToken"]["token"].count(".") == 2
    expires_at = data["accessToken"]["expiresAt"]
    assert ISO_UTC.fullmatch(expires_at), expires_at
    lifetime = datetime.fromisoformat(expires_at.replace("Z", "+00:00")) - clock.now()
    assert 899 <= lifetime.total_seconds() <= 900
    assert len(data["refreshToken"]) >= 43  # 256 bits, base64url
    for secret in ("passwordHash", "password", "otp", "codeHash"):
        assert secret not in data["user"]


async def test_new_user_flow(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    response = await client.post(
        REGISTER,
        json={
            "phone": phone,
            "otp": code,
            "name": "Test User",
            "height": 180,
            "weight": 75,
            "age": 25,
            "gender": "male",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "success"
    data = body["data"]
    assert_token_answer(data, clock)
    user = data["user"]
    assert (user["name"], user["phone"], user["roles"]) == ("Test User", phone, ["CUSTOMER"])
    assert (user["height"], user["weight"], user["age"], user["gender"]) == (180, 75, 25, "male")
    assert user["phoneVerified"] is True

    me = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {data['accessToken']['token']}"}
    )
    assert me.status_code == 200
    me_data = me.json()["data"]
    assert me_data["isSubscribed"] is True
    assert me_data["subscriptionType"] == "free"
    assert me_data["subscriptionStatus"]["subscription"]["freeDays"] == 7


async def test_existing_user_flow(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account = await factory.customer()
    code = await factory.send_code(account.phone)
    response = await client.post(LOGIN, json={"phone": account.phone, "otp": code})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert_token_answer(data, clock)
    assert data["user"]["id"] == account.user_id


async def test_login_for_unknown_phone_keeps_the_code_for_registration(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    missing = await client.post(LOGIN, json={"phone": phone, "otp": code})
    assert_error(
        missing, 404, "User not found. Please complete registration with name and other details."
    )
    registered = await client.post(
        REGISTER, json={"phone": phone, "otp": code, "name": "Second Step"}
    )
    assert registered.status_code == 201


async def test_unknown_phone_with_a_wrong_code_is_not_told_about_accounts(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    assert_error(await client.post(LOGIN, json={"phone": phone, "otp": wrong}), 400, "Invalid OTP")


async def test_register_an_existing_phone(client: httpx.AsyncClient, factory: Factory) -> None:
    account = await factory.customer()
    code = await factory.send_code(account.phone)
    response = await client.post(
        REGISTER, json={"phone": account.phone, "otp": code, "name": "Twice Over"}
    )
    assert_error(response, 409, "User with this phone number already exists")


async def test_register_validates_profile_fields(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    cases = [
        ({"name": "Abc"}, "Name must be 5-30 characters"),
        ({"name": "A" * 31}, "Name must be 5-30 characters"),
        ({"name": "Valid Name", "height": 49}, None),
        ({"name": "Valid Name", "height": 301}, None),
        ({"name": "Valid Name", "weight": 19}, None),
        ({"name": "Valid Name", "weight": 501}, None),
        ({"name": "Valid Name", "age": 25.5}, None),
        ({"name": "Valid Name", "gender": "other"}, None),
        ({"name": "Valid Name", "roles": ["ADMIN"]}, "roles is not an accepted field"),
    ]
    for extra, message in cases:
        response = await client.post(REGISTER, json={"phone": phone, "otp": code, **extra})
        assert_error(response, 422, message)
        assert response.json()["errors"]
    # None of the refused attempts touched the code.
    ok = await client.post(REGISTER, json={"phone": phone, "otp": code, "name": "Valid Name"})
    assert ok.status_code == 201


async def test_blocked_user_cannot_log_in_by_otp(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    account = await factory.customer()
    # The code is sent before the block: a blocked account is sent none (test_hardening.py).
    code = await factory.send_code(account.phone)
    async with app.state.sessionmaker() as session, session.begin():
        user = await user_service.get(session, account.id)
        user_service.set_blocked(user, True, app.state.clock.now())
    assert_error(
        await client.post(LOGIN, json={"phone": account.phone, "otp": code}),
        403,
        "Account is blocked",
    )
    assert_error(
        await client.get("/api/v1/auth/me", headers=account.headers), 403, "Account is blocked"
    )
    refreshed = await client.post(
        "/api/v1/auth/refresh-token", json={"refreshToken": account.refresh_token}
    )
    assert_error(refreshed, 403, "Account is blocked")
