"""Concurrent requests against one account's lockout counter, one MFA token and one recovery
code: conditional updates decide, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections import Counter

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import User
from tests.audit.trail import entries
from tests.factories import STRONG_PASSWORD, Factory, enable_mfa, with_settings
from tests.robustness.concurrency import at_once

pytestmark = with_settings(rate_limit_enabled=False, database_pool_size=30)
LOGIN = "/api/v1/auth/login"
VERIFY = "/api/v1/auth/mfa/verify"


def outcomes(responses: list[httpx.Response]) -> Counter[tuple[int, str]]:
    return Counter((r.status_code, r.json().get("message", "ok")) for r in responses)


async def test_concurrent_failures_lock_once(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    account = await factory.customer()
    responses = await at_once(
        client.post(LOGIN, json={"provider": account.phone, "password": "Wr0ng!Password"})
        for _ in range(12)
    )
    assert outcomes(responses) == Counter({(401, "Invalid credentials"): 12})
    # The address is locked once; the account is only slowed, once.
    assert len(await entries(app, "auth.source.locked")) == 1
    assert len(await entries(app, "auth.account.slowed")) == 1
    async with app.state.sessionmaker() as session:
        user = (await session.execute(select(User).where(User.id == account.id))).scalar_one()
    assert user.lock_level == 1
    assert user.locked_until is not None
    assert user.failed_logins <= 2


async def _mfa_token(client: httpx.AsyncClient, phone: str) -> str:
    response = await client.post(LOGIN, json={"provider": phone, "password": STRONG_PASSWORD})
    token: str = response.json()["data"]["mfaToken"]
    return token


async def test_one_mfa_token_gives_one_session(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account = await factory.customer()
    device = await enable_mfa(factory, account)
    clock.advance(seconds=30)
    token = await _mfa_token(client, account.phone)
    code = device.code(factory)
    responses = await at_once(
        client.post(VERIFY, json={"mfaToken": token, "code": code}) for _ in range(8)
    )
    counted = outcomes(responses)
    assert counted[(200, "ok")] == 1
    assert sum(counted.values()) == 8
    assert set(counted) <= {
        (200, "ok"),
        (400, "Invalid MFA code"),
        (401, "Invalid or expired MFA token"),
    }


async def test_one_recovery_code_works_once_under_concurrency(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account = await factory.customer()
    device = await enable_mfa(factory, account)
    tokens = [await _mfa_token(client, account.phone) for _ in range(6)]
    recovery = device.recovery_codes[0]
    responses = await at_once(
        client.post(VERIFY, json={"mfaToken": token, "recoveryCode": recovery}) for token in tokens
    )
    assert outcomes(responses) == Counter({(200, "ok"): 1, (400, "Invalid recovery code"): 5})
