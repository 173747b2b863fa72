"""GET /auth/me: every field of the auth-flow update's example, across a subscription's life."""

from __future__ import annotations

import httpx

from fitcoach.core.clock import FrozenClock
from tests.factories import Factory, assert_error


async def test_me_answers_every_documented_field(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account = await factory.customer()
    data = (await client.get("/api/v1/auth/me", headers=account.headers)).json()["data"]
    assert set(data) >= {
        "user",
        "isSubscribed",
        "subscriptionType",
        "subscriptionWarning",
        "profileUpdateRequired",
        "subscriptionStatus",
        "profile",
    }
    assert data["isSubscribed"] is True
    assert data["subscriptionType"] == "free"
    assert data["subscriptionWarning"] is False
    assert data["profileUpdateRequired"] is False
    status = data["subscriptionStatus"]
    assert status["isSubscribed"] is True
    subscription = status["subscription"]
    assert set(subscription) >= {"id", "isFree", "freeDays", "startDate", "endDate", "isActive"}
    assert subscription["isFree"] is True
    assert subscription["freeDays"] == 7
    assert subscription["startDate"] == clock.now().date().isoformat()
    assert subscription["isActive"] is True
    assert data["profile"] == {"height": 180, "weight": 75, "age": 30, "gender": "male"}


async def _me_later(client: httpx.AsyncClient, refresh_token: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    """/auth/me after the clock moved past the access token's life: refresh first."""
    tokens = (
        await client.post("/api/v1/auth/refresh-token", json={"refreshToken": refresh_token})
    ).json()["data"]
    headers = {"Authorization": f"Bearer {tokens['accessToken']['token']}"}
    return (await client.get("/api/v1/auth/me", headers=headers)).json()["data"], tokens[
        "refreshToken"
    ]


async def test_warning_in_the_last_three_days_then_expiry(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account = await factory.customer()
    clock.advance(days=4)
    data, refresh = await _me_later(client, account.refresh_token)
    assert (data["isSubscribed"], data["subscriptionWarning"]) == (True, False)
    clock.advance(seconds=1)
    data, refresh = await _me_later(client, refresh)
    assert (data["isSubscribed"], data["subscriptionWarning"]) == (True, True)
    clock.advance(days=3)
    data, _ = await _me_later(client, refresh)
    assert data["isSubscribed"] is False
    assert data["subscriptionType"] is None
    assert data["subscriptionWarning"] is False
    assert data["subscriptionStatus"]["subscription"]["isActive"] is False


async def test_profile_update_required_without_body_metrics(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    registered = await factory.register_by_otp()
    headers = {"Authorization": f"Bearer {registered['accessToken']['token']}"}
    data = (await client.get("/api/v1/auth/me", headers=headers)).json()["data"]
    assert data["profileUpdateRequired"] is True
    assert data["profile"] is None


async def test_me_needs_a_token(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/v1/auth/me"), 401)
