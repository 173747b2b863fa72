"""Concurrent requests against one OTP or refresh token. On PostgreSQL row locks and conditional
updates decide the winner; on SQLite writers queue on the database lock. Both must hold."""

from __future__ import annotations

from collections import Counter

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.models import AuthSession, OtpCode
from tests.factories import Factory, random_phone, with_settings
from tests.robustness.concurrency import at_once

pytestmark = with_settings(rate_limit_enabled=False, database_pool_size=30)


def outcomes(responses: list[httpx.Response]) -> Counter[tuple[int, str]]:
    return Counter((r.status_code, r.json().get("message", "ok")) for r in responses)


async def test_one_code_gives_exactly_one_session(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    account = await factory.customer()
    code = await factory.send_code(account.phone)
    responses = await at_once(
        client.post("/api/v1/auth/otp/login", json={"phone": account.phone, "otp": code})
        for _ in range(16)
    )
    assert outcomes(responses) == Counter({(200, "ok"): 1, (400, "Invalid OTP"): 15})
    async with app.state.sessionmaker() as session:
        sessions = await session.scalar(
            select(func.count()).select_from(AuthSession).where(AuthSession.user_id == account.id)
        )
    assert sessions == 2  # the factory's, and the one login that won


async def test_concurrent_wrong_guesses_never_exceed_the_cap(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    responses = await at_once(
        client.post("/api/v1/auth/otp/login", json={"phone": phone, "otp": wrong})
        for _ in range(20)
    )
    assert outcomes(responses) == Counter(
        {(400, "Invalid OTP"): 5, (429, "Maximum OTP attempts exceeded"): 15}
    )
    async with app.state.sessionmaker() as session:
        attempts = await session.scalar(select(OtpCode.attempts).where(OtpCode.phone == phone))
    assert attempts == 5


async def test_concurrent_registrations_with_one_code(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    responses = await at_once(
        client.post(
            "/api/v1/auth/otp/register",
            json={"phone": phone, "otp": code, "name": f"Racer {n:02d}"},
        )
        for n in range(10)
    )
    assert outcomes(responses) == Counter({(201, "ok"): 1, (400, "Invalid OTP"): 9})


async def test_concurrent_refreshes_give_at_most_one_token(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    account = await factory.customer()
    responses = await at_once(
        client.post("/api/v1/auth/refresh-token", json={"refreshToken": account.refresh_token})
        for _ in range(50)
    )
    statuses = Counter(response.status_code for response in responses)
    assert statuses[200] <= 1
    assert set(statuses) <= {200, 401}
    # Reuse was detected, so the family is gone, including whatever token won.
    winners = [
        response.json()["data"]["refreshToken"]
        for response in responses
        if response.status_code == 200
    ]
    for token in winners:
        assert (
            await client.post("/api/v1/auth/refresh-token", json={"refreshToken": token})
        ).status_code == 401
