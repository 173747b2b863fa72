"""Gaps an attack round found on the sign-in surface (issue 15 §4): what a blocked account is
sent, which answers may be cached, look-alike addresses, the user every sign-in answer shows,
and audit entries of admin actions that change nothing."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from fitcoach.auth.otp.providers import OutboxSmsProvider
from fitcoach.users.service import user_service
from tests.audit.trail import entries
from tests.factories import STRONG_PASSWORD, Factory, assert_error, random_phone

USERS = "/api/v1/admin/users"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"rate_limit_enabled": False}


@pytest.mark.parametrize("path", ["/api/v1/auth/otp/send", "/api/v1/otp/send"])
async def test_a_blocked_account_is_sent_no_sms_and_told_nothing(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI, path: str
) -> None:
    account = await factory.customer()
    async with app.state.sessionmaker() as session, session.begin():
        user = await user_service.get(session, account.id)
        user_service.set_blocked(user, True, app.state.clock.now())
    outbox: OutboxSmsProvider = app.state.sms_provider
    response = await client.post(path, json={"phone": account.phone})
    # The answer of any phone (the spec's), so it does not reveal the block.
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "success", "message": "OTP sent successfully"}
    assert [message for message in outbox.messages if message.phone == account.phone] == []
    # The cooldown still applies, as for any phone.
    assert_error(
        await client.post(path, json={"phone": account.phone}),
        429,
        "Please wait before requesting a new OTP",
    )


async def test_answers_with_tokens_or_otp_results_are_not_cached(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    checked = await client.post("/api/v1/otp/verify", json={"phone": phone, "otp": code})
    registered = await client.post(
        "/api/v1/auth/otp/register", json={"phone": phone, "otp": code, "name": "Cache Person"}
    )
    assert registered.status_code == 201, registered.text
    refresh_token = registered.json()["data"]["refreshToken"]
    account = await factory.customer()
    logged_in = await client.post(
        "/api/v1/auth/login", json={"provider": account.phone, "password": STRONG_PASSWORD}
    )
    password_registered = await client.post(
        "/api/v1/auth/register",
        json={"provider": "fresh.person@example.com", "password": STRONG_PASSWORD, "name": "Fresh"},
    )
    refreshed = await client.post(
        "/api/v1/auth/refresh-token", json={"refreshToken": refresh_token}
    )
    otp_code = await factory.send_code(account.phone)
    otp_login = await client.post(
        "/api/v1/auth/otp/login", json={"phone": account.phone, "otp": otp_code}
    )
    for response in (checked, registered, logged_in, password_registered, refreshed, otp_login):
        assert response.status_code in (200, 201), response.text
        assert response.headers["cache-control"] == "no-store", response.request.url


@pytest.mark.parametrize(
    "look_alike",
    [
        "MIXED.Case@Example.com",
        "ｍｉｘｅｄ.case@example.com",  # full-width letters (NFKC compatibility forms)
        "mixed.case@ＥＸＡＭＰＬＥ.ＣＯＭ",
    ],
)
async def test_look_alike_addresses_reach_one_account(
    client: httpx.AsyncClient, look_alike: str
) -> None:
    first = await client.post(
        "/api/v1/auth/register",
        json={"provider": "email", "email": "mixed.case@example.com", "password": STRONG_PASSWORD},
    )
    assert first.status_code == 201, first.text
    again = await client.post(
        "/api/v1/auth/register",
        json={"provider": "email", "email": look_alike, "password": STRONG_PASSWORD},
    )
    assert again.status_code == 409, again.text
    login = await client.post(
        "/api/v1/auth/login",
        json={"provider": "email", "email": look_alike, "password": STRONG_PASSWORD},
    )
    assert login.status_code == 200, login.text
    assert login.json()["data"]["user"]["id"] == first.json()["data"]["user"]["id"]


async def test_sign_in_answers_show_the_user_as_me_does(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    registered = await client.post(
        "/api/v1/auth/register",
        json={"provider": "shape.person@example.com", "password": STRONG_PASSWORD, "name": "Shape"},
    )
    assert registered.status_code == 201, registered.text
    data = registered.json()["data"]
    status = data["user"]["subscriptionStatus"]
    assert status["isSubscribed"] is True
    assert status["subscription"]["isFree"] is True
    headers = {"Authorization": f"Bearer {data['accessToken']['token']}"}
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()["data"]
    assert data["user"] == me["user"]
    logged_in = await client.post(
        "/api/v1/auth/login",
        json={"provider": "shape.person@example.com", "password": STRONG_PASSWORD},
    )
    assert logged_in.json()["data"]["user"] == me["user"]
    otp_user = await factory.register_by_otp()
    assert otp_user["user"]["subscriptionStatus"]["subscription"]["isFree"] is True


async def test_block_and_unblock_that_change_nothing_write_no_audit_entry(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    unblock = await client.post(f"{USERS}/{customer.user_id}/unblock", headers=admin.headers)
    assert unblock.status_code == 200, unblock.text
    for action in ("block", "block"):
        response = await client.post(f"{USERS}/{customer.user_id}/{action}", headers=admin.headers)
        assert response.status_code == 200, response.text
    trail = [
        entry.action
        for entry in await entries(app)
        if entry.action.startswith(("user.", "request."))
    ]
    assert trail == ["user.blocked"]
    for action in ("unblock", "unblock"):
        response = await client.post(f"{USERS}/{customer.user_id}/{action}", headers=admin.headers)
        assert response.status_code == 200, response.text
    trail = [
        entry.action
        for entry in await entries(app)
        if entry.action.startswith(("user.", "request."))
    ]
    # One clock instant for all: the trail's order among them is the ids'.
    assert sorted(trail) == ["user.blocked", "user.unblocked"]
