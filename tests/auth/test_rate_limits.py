"""The auth-flow update's rate-limit table, per client IP and endpoint."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import Factory, assert_error, random_phone

LIMITS = [
    ("/api/v1/auth/otp/send", 5, lambda: {"phone": random_phone()}),
    ("/api/v1/auth/forgot-password", 5, lambda: {"phone": random_phone()}),
    ("/api/v1/otp/send", 5, lambda: {"phone": random_phone()}),
    ("/api/v1/auth/otp/login", 10, lambda: {"phone": random_phone(), "otp": "123456"}),
    (
        "/api/v1/auth/otp/register",
        10,
        lambda: {"phone": random_phone(), "otp": "123456", "name": "Rate Limited"},
    ),
    (
        "/api/v1/auth/reset-password",
        10,
        lambda: {"phone": random_phone(), "otp": "123456", "newPassword": "N3w!Password"},
    ),
    ("/api/v1/otp/verify", 10, lambda: {"phone": random_phone(), "otp": "123456"}),
]


@pytest.mark.parametrize(("path", "limit", "body"), LIMITS, ids=[row[0] for row in LIMITS])
async def test_limit_per_ip_and_endpoint(
    client: httpx.AsyncClient, path: str, limit: int, body
) -> None:  # type: ignore[no-untyped-def]
    for attempt in range(limit):
        response = await client.post(path, json=body())
        assert response.status_code != 429, (attempt, response.text)
        assert response.headers["RateLimit-Limit"] == str(limit)
        assert response.headers["RateLimit-Remaining"] == str(limit - attempt - 1)
    refused = await client.post(path, json=body())
    assert_error(refused, 429, "Too many requests, please try again later")
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert refused.headers["RateLimit-Remaining"] == "0"
    # Another endpoint's budget is separate.
    other = "/api/v1/otp/verify" if path != "/api/v1/otp/verify" else "/api/v1/auth/otp/login"
    assert (
        await client.post(other, json={"phone": random_phone(), "otp": "123456"})
    ).status_code != 429


async def test_limits_are_per_client_ip(app, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        await client.post("/api/v1/auth/otp/send", json={"phone": random_phone()})
    assert (
        await client.post("/api/v1/auth/otp/send", json={"phone": random_phone()})
    ).status_code == 429
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as neighbour:
        assert (
            await neighbour.post("/api/v1/auth/otp/send", json={"phone": random_phone()})
        ).status_code == 200


MFA_SETUP = "/api/v1/auth/mfa/totp/setup"
MFA_MANAGE_LIMIT = 10


async def test_bearer_routes_count_after_authentication_and_per_user(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    """Anonymous callers get their 401 without touching the bucket, and two users behind one
    address each have their own: before, both shared the address's bucket, so anyone could
    lock a signed-in user out of managing their second factor."""
    first, second = await factory.customer(), await factory.customer()
    for _ in range(MFA_MANAGE_LIMIT + 5):
        assert_error(await client.post(MFA_SETUP), 401)
        bad_token = {"Authorization": "Bearer not-a-token"}
        assert_error(await client.post(MFA_SETUP, headers=bad_token), 401)
    for attempt in range(MFA_MANAGE_LIMIT):
        response = await client.post(MFA_SETUP, headers=first.headers)
        assert response.status_code == 200, (attempt, response.text)
        assert response.headers["RateLimit-Remaining"] == str(MFA_MANAGE_LIMIT - attempt - 1)
    assert_error(await client.post(MFA_SETUP, headers=first.headers), 429)
    response = await client.post(MFA_SETUP, headers=second.headers)
    assert response.status_code == 200, response.text
