"""Access tokens (JWT) and refresh tokens: rotation, reuse detection, logout, expiry, tampering."""

from __future__ import annotations

import base64
import json

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import RefreshToken
from tests.conftest import TEST_JWT_SECRET
from tests.db.test_read_cache import statements_run
from tests.factories import Factory, assert_error

ME = "/api/v1/auth/me"
REFRESH = "/api/v1/auth/refresh-token"
LOGOUT = "/api/v1/auth/logout"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_refresh_rotates(client: httpx.AsyncClient, factory: Factory) -> None:
    account = await factory.customer()
    response = await client.post(REFRESH, json={"refreshToken": account.refresh_token})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert set(data) == {"user", "accessToken", "refreshToken"}
    assert data["refreshToken"] != account.refresh_token
    assert data["user"]["id"] == account.user_id
    assert (await client.get(ME, headers=bearer(data["accessToken"]["token"]))).status_code == 200
    second = await client.post(REFRESH, json={"refreshToken": data["refreshToken"]})
    assert second.status_code == 200


async def test_a_live_refresh_token_is_checked_and_spent_in_one_statement(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    account = await factory.customer()
    with statements_run(app) as statements:
        response = await client.post(REFRESH, json={"refreshToken": account.refresh_token})
    assert response.status_code == 200, response.text
    tokens_touched = [
        statement.split()[0] for statement in statements if "refresh_tokens" in statement
    ]
    assert tokens_touched == ["UPDATE", "INSERT"]  # the presented one spent, the next issued


async def test_reuse_revokes_the_whole_family(client: httpx.AsyncClient, factory: Factory) -> None:
    account = await factory.customer()
    rotated = (await client.post(REFRESH, json={"refreshToken": account.refresh_token})).json()[
        "data"
    ]
    replay = await client.post(REFRESH, json={"refreshToken": account.refresh_token})
    assert_error(replay, 401, "Refresh token has already been used; please log in again")
    assert_error(await client.post(REFRESH, json={"refreshToken": rotated["refreshToken"]}), 401)
    assert_error(await client.get(ME, headers=bearer(rotated["accessToken"]["token"])), 401)
    assert_error(
        await client.get(ME, headers=account.headers), 401, "Session has ended, please log in again"
    )


async def test_reuse_in_one_family_leaves_other_sessions_alone(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    account = await factory.customer()
    other = await client.post(
        "/api/v1/auth/login", json={"provider": account.phone, "password": account.password}
    )
    other_data = other.json()["data"]
    await client.post(REFRESH, json={"refreshToken": account.refresh_token})
    await client.post(REFRESH, json={"refreshToken": account.refresh_token})
    assert (
        await client.get(ME, headers=bearer(other_data["accessToken"]["token"]))
    ).status_code == 200
    assert (
        await client.post(REFRESH, json={"refreshToken": other_data["refreshToken"]})
    ).status_code == 200


async def test_refresh_tokens_are_stored_hashed(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    account = await factory.customer()
    async with app.state.sessionmaker() as session:
        hashes = list((await session.execute(select(RefreshToken.token_hash))).scalars())
    assert hashes
    assert account.refresh_token not in hashes


@pytest.mark.parametrize("token", ["", "x" * 600, "not-a-token"])
async def test_unknown_refresh_tokens(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(REFRESH, json={"refreshToken": token})
    assert response.status_code in (401, 422)
    assert response.json()["status"] == "error"


async def test_refresh_token_expires_after_thirty_days(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account = await factory.customer()
    clock.advance(days=30)
    assert_error(
        await client.post(REFRESH, json={"refreshToken": account.refresh_token}),
        401,
        "Invalid or expired refresh token",
    )


async def test_logout_ends_the_session(client: httpx.AsyncClient, factory: Factory) -> None:
    account = await factory.customer()
    out = await client.post(LOGOUT, json={"refreshToken": account.refresh_token})
    assert out.json() == {"status": "success", "message": "Logged out successfully"}
    assert_error(await client.post(REFRESH, json={"refreshToken": account.refresh_token}), 401)
    assert_error(await client.get(ME, headers=account.headers), 401)
    assert_error(await client.post(LOGOUT, json={"refreshToken": "unknown"}), 401)


async def test_access_token_expires(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account = await factory.customer()
    clock.advance(seconds=899)
    assert (await client.get(ME, headers=account.headers)).status_code == 200
    clock.advance(seconds=1)
    expired = await client.get(ME, headers=account.headers)
    assert_error(expired, 401, "Access token has expired")
    assert expired.headers["WWW-Authenticate"] == "Bearer"


def _b64(data: dict) -> str:  # type: ignore[type-arg]
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_forged_tokens_are_refused(client: httpx.AsyncClient, factory: Factory) -> None:
    account = await factory.customer()
    claims = jwt.decode(account.access_token, options={"verify_signature": False})
    forged = [
        f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        jwt.encode(claims, "another-secret-that-is-long-enough-0123456789", algorithm="HS256"),
        jwt.encode(claims, TEST_JWT_SECRET, algorithm="HS512"),
        jwt.encode({**claims, "typ": "refresh"}, TEST_JWT_SECRET, algorithm="HS256"),
        jwt.encode(
            {key: value for key, value in claims.items() if key != "sid"},
            TEST_JWT_SECRET,
            algorithm="HS256",
        ),
        account.access_token[:-2] + ("AA" if not account.access_token.endswith("AA") else "BB"),
        "garbage",
    ]
    for token in forged:
        assert_error(await client.get(ME, headers=bearer(token)), 401, "Invalid access token")


async def test_missing_or_wrong_scheme(client: httpx.AsyncClient, factory: Factory) -> None:
    account = await factory.customer()
    assert_error(await client.get(ME), 401, "Authentication required")
    assert_error(
        await client.get(ME, headers={"Authorization": f"Basic {account.access_token}"}), 401
    )
    assert_error(await client.get(ME, headers={"Authorization": "Bearer"}), 401)
