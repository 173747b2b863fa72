"""TOTP second factor: setup, confirmation with recovery codes, the MFA step of every login,
replay and attempt limits, recovery codes, turning it off."""

from __future__ import annotations

import httpx
import pyotp
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import AuthSession, MfaChallenge, MfaRecoveryCode, MfaTotp
from tests.audit.trail import entries, only
from tests.factories import (
    STRONG_PASSWORD,
    Account,
    Factory,
    MfaDevice,
    assert_error,
    enable_mfa,
    with_settings,
)

SETUP = "/api/v1/auth/mfa/totp/setup"
CONFIRM = "/api/v1/auth/mfa/totp/confirm"
TOTP = "/api/v1/auth/mfa/totp"
VERIFY = "/api/v1/auth/mfa/verify"
LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"
no_rate_limits = with_settings(rate_limit_enabled=False)


async def _mfa_token(client: httpx.AsyncClient, account: Account) -> str:
    response = await client.post(
        LOGIN, json={"provider": account.phone, "password": STRONG_PASSWORD}
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert set(data) == {"mfaRequired", "mfaToken"}
    assert data["mfaRequired"] is True
    token: str = data["mfaToken"]
    return token


async def _enabled(factory: Factory, clock: FrozenClock) -> tuple[Account, MfaDevice]:
    account = await factory.customer()
    device = await enable_mfa(factory, account)
    clock.advance(seconds=30)  # past the confirming code's time step
    return account, device


async def test_setup_gives_a_secret_and_uri_stored_encrypted(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    account = await factory.customer()
    response = await client.post(SETUP, headers=account.headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    secret, uri = data["secret"], data["otpauthUri"]
    assert uri.startswith("otpauth://totp/")
    parsed = pyotp.parse_uri(uri)
    assert parsed.secret == secret
    assert parsed.issuer == "fitcoach"
    async with app.state.sessionmaker() as session:
        row = (await session.execute(select(MfaTotp))).scalar_one()
    assert secret not in row.secret_encrypted
    assert row.confirmed_at is None
    me = (await client.get(ME, headers=account.headers)).json()["data"]
    assert me["mfaEnabled"] is False
    assert me["user"]["mfaEnabled"] is False


async def test_confirm_turns_mfa_on_with_ten_hashed_recovery_codes(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    account = await factory.customer()
    assert_error(
        await client.post(CONFIRM, json={"code": "123456"}, headers=account.headers),
        409,
        "Start MFA setup first",
    )
    secret = (await client.post(SETUP, headers=account.headers)).json()["data"]["secret"]
    wrong = str((int(pyotp.TOTP(secret).at(factory.now)) + 1) % 1_000_000).zfill(6)
    assert_error(
        await client.post(CONFIRM, json={"code": wrong}, headers=account.headers),
        400,
        "Invalid MFA code",
    )
    assert_error(
        await client.post(CONFIRM, json={"code": "12ab"}, headers=account.headers),
        422,
        "MFA code must be exactly 6 digits",
    )
    confirmed = await client.post(
        CONFIRM, json={"code": pyotp.TOTP(secret).at(factory.now)}, headers=account.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["data"]["recoveryCodes"]
    assert len(codes) == len(set(codes)) == 10
    me = (await client.get(ME, headers=account.headers)).json()["data"]
    assert me["mfaEnabled"] is True
    assert me["user"]["mfaEnabled"] is True
    async with app.state.sessionmaker() as session:
        stored = list((await session.execute(select(MfaRecoveryCode.code_hash))).scalars())
    assert len(stored) == 10
    assert not set(codes) & set(stored)
    assert_error(await client.post(SETUP, headers=account.headers), 409, "MFA is already enabled")
    assert_error(
        await client.post(CONFIRM, json={"code": "123456"}, headers=account.headers),
        409,
        "MFA is already enabled",
    )
    assert (await only(app, "auth.mfa.enabled")).resource_id == account.user_id
    assert len(await entries(app, "auth.mfa.failed")) == 1


async def test_mfa_can_be_set_up_right_after_registration(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    registered = await factory.register_by_otp()
    headers = {"Authorization": f"Bearer {registered['accessToken']['token']}"}
    secret = (await client.post(SETUP, headers=headers)).json()["data"]["secret"]
    confirmed = await client.post(
        CONFIRM, json={"code": pyotp.TOTP(secret).at(factory.now)}, headers=headers
    )
    assert confirmed.status_code == 200


async def test_password_login_needs_the_second_factor(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account, device = await _enabled(factory, clock)
    token = await _mfa_token(client, account)
    assert not await entries(app, "auth.login.succeeded")
    verified = await client.post(VERIFY, json={"mfaToken": token, "code": device.code(factory)})
    assert verified.status_code == 200, verified.text
    data = verified.json()["data"]
    assert data["user"]["id"] == account.user_id
    me = await client.get(ME, headers={"Authorization": f"Bearer {data['accessToken']['token']}"})
    assert me.status_code == 200
    succeeded = await only(app, "auth.login.succeeded")
    assert succeeded.details == {"method": "password+totp"}
    # The token works once.
    clock.advance(seconds=30)
    assert_error(
        await client.post(VERIFY, json={"mfaToken": token, "code": device.code(factory)}),
        401,
        "Invalid or expired MFA token",
    )


async def test_otp_login_needs_the_second_factor(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account, device = await _enabled(factory, clock)
    code = await factory.send_code(account.phone)
    response = await client.post(
        "/api/v1/auth/otp/login", json={"phone": account.phone, "otp": code}
    )
    assert response.status_code == 200, response.text
    token = response.json()["data"]["mfaToken"]
    verified = await client.post(VERIFY, json={"mfaToken": token, "code": device.code(factory)})
    assert verified.status_code == 200, verified.text


async def test_every_login_route_answers_only_the_challenge(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account = await factory.customer(email="two.factor@example.com")
    device = await enable_mfa(factory, account)
    by_route = {
        "password (phone)": (LOGIN, {"provider": account.phone, "password": STRONG_PASSWORD}),
        "password (email)": (
            LOGIN,
            {"provider": "two.factor@example.com", "password": STRONG_PASSWORD},
        ),
        "email form": (
            LOGIN,
            {"provider": "email", "email": "two.factor@example.com", "password": STRONG_PASSWORD},
        ),
        "otp": ("/api/v1/auth/otp/login", None),
    }
    for number, (route, (path, body)) in enumerate(by_route.items()):
        if body is None:
            body = {"phone": account.phone, "otp": await factory.send_code(account.phone)}
        response = await client.post(path, json=body)
        assert response.status_code == 200, (route, response.text)
        data = response.json()["data"]
        assert data.keys() == {"mfaRequired", "mfaToken"}, route
        assert data["mfaRequired"] is True
        # The first factor alone opens no session: only the factory's and earlier rounds' exist.
        assert await _session_count(app, account) == 1 + number, route
        verified = await client.post(
            VERIFY,
            json={"mfaToken": data["mfaToken"], "recoveryCode": device.recovery_codes[number]},
        )
        assert verified.status_code == 200, (route, verified.text)
        assert verified.json()["data"]["user"]["id"] == account.user_id
        assert await _session_count(app, account) == 2 + number, route
    methods = sorted(
        str((entry.details or {})["method"]) for entry in await entries(app, "auth.login.succeeded")
    )
    assert methods == ["otp+recovery_code"] + ["password+recovery_code"] * 3


async def _session_count(app: FastAPI, account: Account) -> int:
    async with app.state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(AuthSession).where(AuthSession.user_id == account.id)
        )
    return int(count or 0)


async def test_a_code_is_not_accepted_twice(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account, device = await _enabled(factory, clock)
    code = device.code(factory)
    first = await client.post(
        VERIFY, json={"mfaToken": await _mfa_token(client, account), "code": code}
    )
    assert first.status_code == 200
    token = await _mfa_token(client, account)
    assert_error(
        await client.post(VERIFY, json={"mfaToken": token, "code": code}), 400, "Invalid MFA code"
    )
    clock.advance(seconds=30)
    assert (
        await client.post(VERIFY, json={"mfaToken": token, "code": device.code(factory)})
    ).status_code == 200


async def test_the_mfa_token_lives_five_minutes(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account, device = await _enabled(factory, clock)
    token = await _mfa_token(client, account)
    clock.advance(seconds=299)
    last_second = await client.post(VERIFY, json={"mfaToken": token, "code": device.code(factory)})
    assert last_second.status_code == 200, last_second.text
    clock.advance(seconds=30)  # a fresh time step for the next code
    token = await _mfa_token(client, account)
    clock.advance(seconds=300)
    assert_error(
        await client.post(VERIFY, json={"mfaToken": token, "code": device.code(factory)}),
        401,
        "Invalid or expired MFA token",
    )
    assert_error(
        await client.post(VERIFY, json={"mfaToken": "made-up", "code": "123456"}),
        401,
        "Invalid or expired MFA token",
    )


@no_rate_limits
async def test_wrong_codes_are_capped(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account, device = await _enabled(factory, clock)
    token = await _mfa_token(client, account)
    wrong = str((int(device.code(factory)) + 500_000) % 1_000_000).zfill(6)
    for _ in range(5):
        assert_error(
            await client.post(VERIFY, json={"mfaToken": token, "code": wrong}),
            400,
            "Invalid MFA code",
        )
    assert_error(
        await client.post(VERIFY, json={"mfaToken": token, "code": device.code(factory)}),
        429,
        "Maximum MFA attempts exceeded",
    )
    assert len(await entries(app, "auth.mfa.failed")) == 5
    async with app.state.sessionmaker() as session:
        challenge = (await session.execute(select(MfaChallenge))).scalar_one()
    assert challenge.attempts == 5
    assert challenge.consumed_at is None


async def test_a_recovery_code_works_once(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account, device = await _enabled(factory, clock)
    recovery = device.recovery_codes[3]
    verified = await client.post(
        VERIFY,
        json={"mfaToken": await _mfa_token(client, account), "recoveryCode": recovery.upper()},
    )
    assert verified.status_code == 200, verified.text
    assert (await only(app, "auth.mfa.recovery_code_used")).resource_id == account.user_id
    assert (await only(app, "auth.login.succeeded")).details == {"method": "password+recovery_code"}
    assert_error(
        await client.post(
            VERIFY, json={"mfaToken": await _mfa_token(client, account), "recoveryCode": recovery}
        ),
        400,
        "Invalid recovery code",
    )


async def test_a_user_blocked_after_the_first_factor_gets_no_tokens(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account, device = await _enabled(factory, clock)
    token = await _mfa_token(client, account)
    admin = await factory.admin(password=None)
    blocked = await client.post(
        f"/api/v1/admin/users/{account.user_id}/block", headers=admin.headers
    )
    assert blocked.status_code == 200, blocked.text
    response = await client.post(VERIFY, json={"mfaToken": token, "code": device.code(factory)})
    assert_error(response, 403, "Account is blocked")
    assert not await entries(app, "auth.login.succeeded")


async def test_verify_takes_exactly_one_factor(client: httpx.AsyncClient) -> None:
    assert_error(
        await client.post(VERIFY, json={"mfaToken": "t", "code": "123456", "recoveryCode": "x"}),
        422,
        "Send either code or recoveryCode",
    )
    assert_error(
        await client.post(VERIFY, json={"mfaToken": "t"}), 422, "Send either code or recoveryCode"
    )


async def test_turning_mfa_off(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    account, device = await _enabled(factory, clock)

    async def delete(body: dict[str, str]) -> httpx.Response:
        return await client.request("DELETE", TOTP, json=body, headers=account.headers)

    assert_error(
        await delete({"code": "000000", "password": STRONG_PASSWORD}),
        422,
        "Send either code or password",
    )
    assert_error(await delete({"password": "Wr0ng!Password"}), 401, "Current password is incorrect")
    wrong = str((int(device.code(factory)) + 500_000) % 1_000_000).zfill(6)
    assert_error(await delete({"code": wrong}), 400, "Invalid MFA code")
    turned_off = await delete({"code": device.code(factory)})
    assert turned_off.status_code == 200, turned_off.text
    assert turned_off.json()["message"] == "MFA disabled successfully"
    assert (await client.get(ME, headers=account.headers)).json()["data"]["mfaEnabled"] is False
    assert_error(await delete({"password": STRONG_PASSWORD}), 409, "MFA is not enabled")
    login = await client.post(LOGIN, json={"provider": account.phone, "password": STRONG_PASSWORD})
    assert "accessToken" in login.json()["data"]
    async with app.state.sessionmaker() as session:
        assert not list((await session.execute(select(MfaTotp))).scalars())
        assert not list((await session.execute(select(MfaRecoveryCode))).scalars())
    disabled = await only(app, "auth.mfa.disabled")
    assert disabled.details == {"proof": "totp"}


async def test_turning_mfa_off_with_the_password(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account, _ = await _enabled(factory, clock)
    response = await client.request(
        "DELETE", TOTP, json={"password": STRONG_PASSWORD}, headers=account.headers
    )
    assert response.status_code == 200, response.text


async def test_mfa_routes_need_a_signed_in_user(client: httpx.AsyncClient) -> None:
    assert_error(await client.post(SETUP), 401)
    assert_error(await client.post(CONFIRM, json={"code": "123456"}), 401)
    assert_error(await client.request("DELETE", TOTP, json={"code": "123456"}), 401)
