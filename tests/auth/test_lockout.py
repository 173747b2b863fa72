"""Brute-force protection of password login: 10 failures from one address lock the address for
15 minutes, doubling per repeat lock (capped at 24 hours); 10 failures in a row on one account
only slow it (a 60-second pause), so nobody can lock a victim out of their account."""

from __future__ import annotations

from typing import Any, Literal

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import event, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import LoginSource, User
from tests.audit.trail import entries
from tests.factories import (
    STRONG_PASSWORD,
    Account,
    Factory,
    assert_error,
    enable_mfa,
    random_phone,
)

LOGIN = "/api/v1/auth/login"
WRONG = "Wr0ng!Password"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    # The test client is 203.0.113.10: as a trusted proxy, X-Forwarded-For names the address.
    return {"rate_limit_enabled": False, "trusted_proxies": ["203.0.113.10/32"]}


async def _login(
    client: httpx.AsyncClient, account: Account, password: str, source: str = "198.51.100.1"
) -> httpx.Response:
    return await client.post(
        LOGIN,
        json={"provider": account.phone, "password": password},
        headers={"X-Forwarded-For": source},
    )


async def _fail(
    client: httpx.AsyncClient, account: Account, times: int, source: str = "198.51.100.1"
) -> None:
    for _ in range(times):
        assert_error(await _login(client, account, WRONG, source), 401, "Invalid credentials")


async def _user(app: FastAPI, account: Account) -> User:
    async with app.state.sessionmaker() as session:
        user: User = (await session.execute(select(User).where(User.id == account.id))).scalar_one()
        return user


async def _lock_minutes(app: FastAPI) -> list[int]:
    return [(entry.details or {})["minutes"] for entry in await entries(app, "auth.source.locked")]


async def test_ten_failures_lock_the_address_not_the_account(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account = await factory.customer()
    await _fail(client, account, 9)
    assert (await _user(app, account)).failed_logins == 9
    await _fail(client, account, 1)
    [locked] = await entries(app, "auth.source.locked")
    assert locked.resource_id == "198.51.100.1"
    assert locked.details is not None
    assert locked.details["minutes"] == 15
    # The guessing address is refused, even the right password, exactly like a wrong one...
    assert_error(await _login(client, account, STRONG_PASSWORD), 401, "Invalid credentials")
    # One clock instant for all the failures: find the refusal by what it says.
    refusals = [
        entry.details
        for entry in await entries(app, "auth.login.failed")
        if entry.details and entry.details.get("locked")
    ]
    assert refusals[0]["lockedBy"] == "source"
    # ...while the account is only slowed: after a minute its owner signs in from elsewhere.
    [slowed] = await entries(app, "auth.account.slowed")
    assert slowed.resource_id == account.user_id
    elsewhere = "192.0.2.7"
    assert_error(
        await _login(client, account, STRONG_PASSWORD, elsewhere), 401, "Invalid credentials"
    )
    clock.advance(seconds=60)
    assert (await _login(client, account, STRONG_PASSWORD, elsewhere)).status_code == 200
    user = await _user(app, account)
    assert (user.failed_logins, user.locked_until) == (0, None)
    # The address stays locked for its 15 minutes, whichever account it tries.
    clock.advance(minutes=13, seconds=59)
    assert_error(await _login(client, account, STRONG_PASSWORD), 401, "Invalid credentials")
    clock.advance(seconds=1)
    assert (await _login(client, account, STRONG_PASSWORD)).status_code == 200


async def test_repeat_address_locks_double(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    first, second = await factory.customer(), await factory.customer()
    await _fail(client, first, 5)
    await _fail(client, second, 5)
    clock.advance(minutes=15)
    await _fail(client, first, 10)
    assert await _lock_minutes(app) == [15, 30]
    clock.advance(minutes=29)
    assert_error(await _login(client, second, STRONG_PASSWORD), 401, "Invalid credentials")
    clock.advance(minutes=1)
    assert (await _login(client, second, STRONG_PASSWORD)).status_code == 200
    # Signing in to an account does not reset the address: its count only expires.
    await _fail(client, first, 9)
    assert (await _login(client, second, STRONG_PASSWORD)).status_code == 200
    await _fail(client, first, 1)
    assert await _lock_minutes(app) == [15, 30, 60]


async def test_unknown_accounts_count_against_the_address(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    account = await factory.customer()
    for number in range(10):
        response = await client.post(
            LOGIN,
            json={"provider": f"nobody{number}@example.com", "password": WRONG},
            headers={"X-Forwarded-For": "198.51.100.9"},
        )
        assert_error(response, 401, "Invalid credentials")
    assert await _lock_minutes(app) == [15]
    refused = await _login(client, account, STRONG_PASSWORD, "198.51.100.9")
    assert_error(refused, 401, "Invalid credentials")
    assert (await _login(client, account, STRONG_PASSWORD, "198.51.100.10")).status_code == 200


async def test_failures_from_many_addresses_slow_the_account_without_locking_it(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account = await factory.customer(email="slowed.down@example.com")

    async def email_form(password: str, source: str) -> httpx.Response:
        body = {"provider": "email", "email": "slowed.down@example.com", "password": password}
        return await client.post(LOGIN, json=body, headers={"X-Forwarded-For": source})

    for number in range(10):
        assert_error(await email_form(WRONG, f"192.0.2.{number + 1}"), 401, "Invalid credentials")
    assert await _lock_minutes(app) == []
    # Both forms reach the one account, which pauses for a minute, not more.
    assert_error(await email_form(STRONG_PASSWORD, "192.0.2.99"), 401, "Invalid credentials")
    assert_error(
        await _login(client, account, STRONG_PASSWORD, "192.0.2.99"), 401, "Invalid credentials"
    )
    clock.advance(seconds=60)
    assert (await email_form(STRONG_PASSWORD, "192.0.2.99")).status_code == 200


async def test_lock_length_is_capped(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account = await factory.customer()
    async with app.state.sessionmaker() as session, session.begin():
        session.add(LoginSource(ip="198.51.100.1", lock_level=10, updated_at=clock.now()))
    # 15 minutes * 2**10 would be over ten days.
    await _fail(client, account, 10)
    [locked] = await entries(app, "auth.source.locked")
    assert locked.details is not None
    assert locked.details["minutes"] == 1_440


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


async def test_known_and_unknown_accounts_cost_one_argon2_verification(
    client: httpx.AsyncClient, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Response time must not tell which accounts exist: every password login verifies exactly
    one argon2 hash, a dummy one when there is no account or it has no password."""
    verified: list[str] = []
    original = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str, password: str) -> Literal[True]:
        verified.append(hash)
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    with_password = await factory.customer(email="known.person@example.com")
    without_password = await factory.customer(password=None)
    hashes = []
    for provider in (
        with_password.phone,
        "known.person@example.com",
        without_password.phone,
        random_phone(),
        "nobody.here@example.com",
    ):
        verified.clear()
        response = await client.post(LOGIN, json={"provider": provider, "password": WRONG})
        assert_error(response, 401, "Invalid credentials")
        assert len(verified) == 1, provider
        hashes.append(verified[0])
    # The last three (no password, unknown phone, unknown address) all verified the dummy hash.
    assert len(set(hashes[2:])) == 1
    assert hashes[2] != hashes[0]


async def _statements_of_login(
    app: FastAPI, client: httpx.AsyncClient, provider: str, source: str
) -> list[str]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = await client.post(
            LOGIN,
            json={"provider": provider, "password": WRONG},
            headers={"X-Forwarded-For": source},
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert_error(response, 401, "Invalid credentials")
    return statements


async def test_known_and_unknown_accounts_cost_the_same_statements(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    """A wrong password reads and writes as much whether the account exists or not: the work,
    not a stopwatch, is what must not differ. Before, a known account's failure was counted in
    one more UPDATE."""
    known = await factory.customer(email="known.person@example.com")
    slowed = await factory.customer()
    locked_source = "198.51.100.9"
    await _fail(client, slowed, 10, source=locked_source)
    for known_provider, unknown_provider, sources in (
        # From fresh addresses, so that no count reaches its limit here...
        (known.phone, random_phone(), ("198.51.100.20", "198.51.100.21")),
        ("known.person@example.com", "nobody.here@example.com", ("198.51.100.22", "198.51.100.23")),
        # ...a paused account...
        (slowed.phone, random_phone(), ("198.51.100.24", "198.51.100.25")),
        # ...and a locked address, which counts nothing.
        (known.phone, random_phone(), (locked_source, locked_source)),
    ):
        of_known = await _statements_of_login(app, client, known_provider, sources[0])
        of_unknown = await _statements_of_login(app, client, unknown_provider, sources[1])
        assert of_known == of_unknown, (known_provider, sources)
