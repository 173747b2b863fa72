"""Legacy password sign-in, change and reset, and the one password policy."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import User
from tests.factories import STRONG_PASSWORD, Factory, assert_error, random_phone, with_settings

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
POLICY = (
    "Password must be 8-256 characters and include an uppercase letter, a lowercase letter, "
    "a number and a special character"
)


async def test_register_and_login_with_email(client: httpx.AsyncClient) -> None:
    registered = await client.post(
        REGISTER,
        json={
            "provider": "User@Example.com",
            "password": STRONG_PASSWORD,
            "name": "John Doe",
            "height": 180,
            "weight": 75,
            "age": 25,
            "gender": "male",
        },
    )
    assert registered.status_code == 201, registered.text
    user = registered.json()["data"]["user"]
    assert (user["email"], user["phone"], user["roles"]) == ("user@example.com", None, ["CUSTOMER"])
    login = await client.post(
        LOGIN, json={"provider": "user@example.com", "password": STRONG_PASSWORD}
    )
    assert login.status_code == 200
    assert login.json()["data"]["user"]["id"] == user["id"]


async def test_register_and_login_with_phone(client: httpx.AsyncClient) -> None:
    phone = random_phone()
    registered = await client.post(
        REGISTER, json={"provider": phone, "password": STRONG_PASSWORD, "name": "Phone Person"}
    )
    assert registered.status_code == 201
    assert registered.json()["data"]["user"]["phoneVerified"] is False
    login = await client.post(LOGIN, json={"provider": phone, "password": STRONG_PASSWORD})
    assert login.status_code == 200


async def test_password_is_stored_as_argon2id(client: httpx.AsyncClient, app: FastAPI) -> None:
    await client.post(
        REGISTER,
        json={"provider": "hash@example.com", "password": STRONG_PASSWORD, "name": "Hash Check"},
    )
    async with app.state.sessionmaker() as session:
        stored = (
            await session.execute(
                select(User.password_hash).where(User.email == "hash@example.com")
            )
        ).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert STRONG_PASSWORD not in stored


async def test_duplicates_conflict(client: httpx.AsyncClient, factory: Factory) -> None:
    account = await factory.customer()
    by_phone = await client.post(
        REGISTER, json={"provider": account.phone, "password": STRONG_PASSWORD, "name": "Copy Cat"}
    )
    assert_error(by_phone, 409, "User with this phone number already exists")
    await client.post(
        REGISTER,
        json={"provider": "dup@example.com", "password": STRONG_PASSWORD, "name": "First One"},
    )
    again = await client.post(
        REGISTER,
        json={"provider": "DUP@example.com", "password": STRONG_PASSWORD, "name": "Second One"},
    )
    assert_error(again, 409, "User with this email already exists")


@pytest.mark.parametrize(
    "password",
    ["Sh0rt!", "alllowercase1!", "ALLUPPERCASE1!", "NoDigits!!", "NoSpecial123", "A1!" + "a" * 254],
)
async def test_weak_passwords_are_refused(client: httpx.AsyncClient, password: str) -> None:
    response = await client.post(
        REGISTER, json={"provider": random_phone(), "password": password, "name": "Weak Password"}
    )
    assert_error(response, 422, POLICY)


async def test_long_passwords_are_not_truncated(client: httpx.AsyncClient) -> None:
    password = "Aa1!" + "x" * 124  # 128 characters
    phone = random_phone()
    assert (
        await client.post(
            REGISTER, json={"provider": phone, "password": password, "name": "Long Password"}
        )
    ).status_code == 201
    assert (
        await client.post(LOGIN, json={"provider": phone, "password": password})
    ).status_code == 200
    assert_error(
        await client.post(LOGIN, json={"provider": phone, "password": password[:-1]}),
        401,
        "Invalid credentials",
    )


async def test_wrong_password_and_unknown_account_answer_alike(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    account = await factory.customer()
    for provider, password in [
        (account.phone, "Wr0ng!Password"),
        (random_phone(), STRONG_PASSWORD),
        ("nobody@example.com", STRONG_PASSWORD),
        ("not a phone or email", STRONG_PASSWORD),
    ]:
        assert_error(
            await client.post(LOGIN, json={"provider": provider, "password": password}),
            401,
            "Invalid credentials",
        )


async def test_otp_only_account_has_no_password(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    registered = await factory.register_by_otp()
    phone = registered["user"]["phone"]
    assert_error(
        await client.post(LOGIN, json={"provider": phone, "password": STRONG_PASSWORD}),
        401,
        "Invalid credentials",
    )


async def test_change_password_ends_other_sessions(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    account = await factory.customer()
    other = await client.post(LOGIN, json={"provider": account.phone, "password": STRONG_PASSWORD})
    other_headers = {"Authorization": f"Bearer {other.json()['data']['accessToken']['token']}"}
    other_refresh = other.json()["data"]["refreshToken"]

    wrong = await client.patch(
        "/api/v1/auth/password",
        headers=account.headers,
        json={"currentPassword": "Wr0ng!Password", "newPassword": "N3w!Password"},
    )
    assert_error(wrong, 401, "Current password is incorrect")
    weak = await client.patch(
        "/api/v1/auth/password",
        headers=account.headers,
        json={"currentPassword": STRONG_PASSWORD, "newPassword": "weak"},
    )
    assert_error(weak, 422, POLICY)

    changed = await client.patch(
        "/api/v1/auth/password",
        headers=account.headers,
        json={"currentPassword": STRONG_PASSWORD, "newPassword": "N3w!Password"},
    )
    assert changed.json() == {"status": "success", "message": "Password changed successfully"}
    assert (await client.get("/api/v1/auth/me", headers=account.headers)).status_code == 200
    assert_error(await client.get("/api/v1/auth/me", headers=other_headers), 401)
    assert_error(
        await client.post("/api/v1/auth/refresh-token", json={"refreshToken": other_refresh}), 401
    )
    assert_error(
        await client.post(LOGIN, json={"provider": account.phone, "password": STRONG_PASSWORD}), 401
    )
    assert (
        await client.post(LOGIN, json={"provider": account.phone, "password": "N3w!Password"})
    ).status_code == 200


async def test_change_password_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.patch(
        "/api/v1/auth/password",
        json={"currentPassword": STRONG_PASSWORD, "newPassword": "N3w!Password"},
    )
    assert_error(response, 401, "Authentication required")


async def test_password_reset_flow(client: httpx.AsyncClient, factory: Factory) -> None:
    account = await factory.customer()
    sent = await client.post("/api/v1/auth/forgot-password", json={"phone": account.phone})
    assert sent.json() == {"status": "success", "message": "OTP sent to your phone"}
    code = factory.last_code(account.phone)
    weak = await client.post(
        "/api/v1/auth/reset-password",
        json={"phone": account.phone, "otp": code, "newPassword": "weakpass"},
    )
    assert_error(weak, 422, POLICY)
    reset = await client.post(
        "/api/v1/auth/reset-password",
        json={"phone": account.phone, "otp": code, "newPassword": "NewSecure@123"},
    )
    assert reset.json() == {"status": "success", "message": "Password reset successfully"}
    assert_error(await client.get("/api/v1/auth/me", headers=account.headers), 401)
    assert (
        await client.post(LOGIN, json={"provider": account.phone, "password": "NewSecure@123"})
    ).status_code == 200
    replay = await client.post(
        "/api/v1/auth/reset-password",
        json={"phone": account.phone, "otp": code, "newPassword": "Another@123"},
    )
    assert_error(replay, 400, "Invalid OTP")


async def test_reset_with_a_code_that_was_never_sent(
    client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    phone = random_phone()
    await client.post("/api/v1/auth/forgot-password", json={"phone": phone})
    response = await client.post(
        "/api/v1/auth/reset-password",
        json={"phone": phone, "otp": "123456", "newPassword": "NewSecure@123"},
    )
    assert_error(response, 400, "Invalid OTP")


@with_settings(rate_limit_enabled=False)
async def test_blocked_user_cannot_log_in_with_a_password(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    account = await factory.customer()
    async with app.state.sessionmaker() as session, session.begin():
        user = await session.get(User, account.id)
        assert user is not None
        user.is_blocked = True
    assert_error(
        await client.post(LOGIN, json={"provider": account.phone, "password": STRONG_PASSWORD}),
        403,
        "Account is blocked",
    )
    # A wrong password must not reveal that the account is blocked.
    assert_error(
        await client.post(LOGIN, json={"provider": account.phone, "password": "Wr0ng!Password"}),
        401,
        "Invalid credentials",
    )
