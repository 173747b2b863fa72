"""Brute-force protection of password login: 10 failures in a row lock the account for 15
minutes, doubling per repeat lock (capped at 24 hours); a success resets everything."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import User
from tests.audit.trail import entries
from tests.factories import STRONG_PASSWORD, Account, Factory, assert_error, enable_mfa

LOGIN = "/api/v1/auth/login"
WRONG = "Wr0ng!Password"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"rate_limit_enabled": False}


async def _login(client: httpx.AsyncClient, account: Account, password: str) -> httpx.Response:
    return await client.post(LOGIN, json={"provider": account.phone, "password": password})


async def _fail(client: httpx.AsyncClient, account: Account, times: int) -> None:
    for _ in range(times):
        assert_error(await _login(client, account, WRONG), 401, "Invalid credentials")


async def _user(app: FastAPI, account: Account) -> User:
    async with app.state.sessionmaker() as session:
        user: User = (await session.execute(select(User).where(User.id == account.id))).scalar_one()
        return user


async def _lock_minutes(app: FastAPI) -> list[int]:
    return [(entry.details or {})["minutes"] for entry in await entries(app, "auth.account.locked")]


async def test_ten_failures_lock_for_fifteen_minutes(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account = await factory.customer()
    await _fail(client, account, 9)
    assert (await _user(app, account)).failed_logins == 9
    await _fail(client, account, 1)
    user = await _user(app, account)
    assert user.locked_until == clock.now() + timedelta(minutes=15)
    [locked] = await entries(app, "auth.account.locked")
    assert locked.resource_id == account.user_id
    assert locked.details is not None
    assert locked.details["minutes"] == 15
    # While locked, even the right password is refused exactly like a wrong one.
    assert_error(await _login(client, account, STRONG_PASSWORD), 401, "Invalid credentials")
    clock.advance(minutes=14, seconds=59)
    assert_error(await _login(client, account, STRONG_PASSWORD), 401, "Invalid credentials")
    clock.advance(seconds=1)
    assert (await _login(client, account, STRONG_PASSWORD)).status_code == 200
    user = await _user(app, account)
    assert (user.failed_logins, user.lock_level, user.locked_until) == (0, 0, None)
    failures = await entries(app, "auth.login.failed")
    assert failures[-1].details is not None
    assert failures[-1].details["locked"] is True


async def test_repeat_locks_double_and_a_success_resets_the_count(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account = await factory.customer()
    await _fail(client, account, 10)
    clock.advance(minutes=15)
    await _fail(client, account, 10)
    minutes = await _lock_minutes(app)
    assert minutes == [15, 30]
    clock.advance(minutes=29)
    assert_error(await _login(client, account, STRONG_PASSWORD), 401, "Invalid credentials")
    clock.advance(minutes=1)
    assert (await _login(client, account, STRONG_PASSWORD)).status_code == 200
    # The success reset the level: the next lock is 15 minutes again, after 10 new failures.
    await _fail(client, account, 9)
    assert (await _login(client, account, STRONG_PASSWORD)).status_code == 200
    await _fail(client, account, 9)
    assert (await _user(app, account)).locked_until is None
    await _fail(client, account, 1)
    minutes = await _lock_minutes(app)
    assert minutes == [15, 30, 15]


async def test_the_lock_is_per_account_whichever_form_signs_in(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account = await factory.customer(email="locked.out@example.com")

    async def email_form(password: str) -> httpx.Response:
        body = {"provider": "email", "email": "locked.out@example.com", "password": password}
        return await client.post(LOGIN, json=body)

    for _ in range(10):
        assert_error(await email_form(WRONG), 401, "Invalid credentials")
    assert_error(await email_form(STRONG_PASSWORD), 401, "Invalid credentials")
    assert_error(await _login(client, account, STRONG_PASSWORD), 401, "Invalid credentials")
    clock.advance(minutes=15)
    assert (await email_form(STRONG_PASSWORD)).status_code == 200


async def test_lock_length_is_capped(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account = await factory.customer()
    async with app.state.sessionmaker() as session, session.begin():
        user = await session.get(User, account.id)
        assert user is not None
        user.lock_level = 10  # 15 minutes * 2**10 would be over ten days
    await _fail(client, account, 10)
    [locked] = await entries(app, "auth.account.locked")
    assert locked.details is not None
    assert locked.details["minutes"] == 1_440


async def test_unknown_accounts_answer_alike_and_take_as_long(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    account = await factory.customer()
    await _fail(client, account, 10)

    async def timed(provider: str, password: str) -> float:
        started = time.perf_counter()
        response = await client.post(LOGIN, json={"provider": provider, "password": password})
        assert_error(response, 401, "Invalid credentials")
        return time.perf_counter() - started

    locked = await timed(account.phone, STRONG_PASSWORD)
    unknown = await timed("nobody@example.com", STRONG_PASSWORD)
    # Both compute one argon2 hash; allow generous noise on a shared machine.
    assert unknown > locked / 4
    assert locked > unknown / 4


async def test_mfa_login_resets_only_after_the_second_factor(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account = await factory.customer()
    device = await enable_mfa(factory, account)
    clock.advance(seconds=30)
    await _fail(client, account, 3)
    token = (await _login(client, account, STRONG_PASSWORD)).json()["data"]["mfaToken"]
    assert (await _user(app, account)).failed_logins == 3
    verified = await client.post(
        "/api/v1/auth/mfa/verify", json={"mfaToken": token, "code": device.code(factory)}
    )
    assert verified.status_code == 200
    assert (await _user(app, account)).failed_logins == 0
