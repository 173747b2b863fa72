"""OTP issuing and checking through the HTTP API: format, hashing at rest, lifetime, cooldown,
daily cap, attempt cap, single use, purposes, fixed QA codes, enumeration resistance."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.auth.otp.providers import OutboxSmsProvider
from fitcoach.core.clock import FrozenClock
from fitcoach.models import OtpCode
from tests.db.test_read_cache import statements_run
from tests.factories import Factory, assert_error, random_phone, with_settings

SEND = "/api/v1/auth/otp/send"
LOGIN = "/api/v1/auth/otp/login"
REGISTER = "/api/v1/auth/otp/register"
VERIFY = "/api/v1/otp/verify"
NO_LIMITS = with_settings(rate_limit_enabled=False)


async def _codes(app: FastAPI, phone: str) -> list[OtpCode]:
    async with app.state.sessionmaker() as session:
        result = await session.execute(select(OtpCode).where(OtpCode.phone == phone))
        return list(result.scalars())


async def test_send_delivers_six_digits_and_stores_only_a_keyed_hash(
    client: httpx.AsyncClient, app: FastAPI, outbox: OutboxSmsProvider, factory: Factory
) -> None:
    phone = random_phone()
    response = await client.post(SEND, json={"phone": phone})
    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "OTP sent successfully"}
    assert [message.phone for message in outbox.messages] == [phone]
    code = factory.last_code(phone)
    assert re.fullmatch(r"\d{6}", code)
    [stored] = await _codes(app, phone)
    assert re.fullmatch(r"[0-9a-f]{64}", stored.code_hash)
    assert code not in stored.code_hash


async def test_utility_send_serves_login_codes(client: httpx.AsyncClient, factory: Factory) -> None:
    phone = random_phone()
    response = await client.post("/api/v1/otp/send", json={"phone": phone})
    assert response.json() == {"status": "success", "message": "OTP sent successfully"}
    register = await client.post(
        REGISTER, json={"phone": phone, "otp": factory.last_code(phone), "name": "Utility User"}
    )
    assert register.status_code == 201, register.text


@pytest.mark.parametrize(
    "phone",
    ["12345", "+12", "+1234567890123456", "phone", "+20 abc 123 4567", "", "+0000000000", "010123"],
)
async def test_malformed_phones_are_refused(client: httpx.AsyncClient, phone: str) -> None:
    response = await client.post(SEND, json={"phone": phone})
    assert_error(response, 422, "Invalid phone number format")


async def test_spaces_and_dashes_are_ignored(
    client: httpx.AsyncClient, outbox: OutboxSmsProvider
) -> None:
    response = await client.post(SEND, json={"phone": "+20 100-123 4567"})
    assert response.status_code == 200
    assert outbox.messages[-1].phone == "+201001234567"


@with_settings(default_phone_region="EG")
async def test_national_form_with_a_default_region(
    client: httpx.AsyncClient, outbox: OutboxSmsProvider
) -> None:
    response = await client.post(SEND, json={"phone": "010 1234 5678"})
    assert response.status_code == 200
    assert outbox.messages[-1].phone == "+201012345678"


async def test_national_form_without_a_region_is_refused(client: httpx.AsyncClient) -> None:
    assert_error(
        await client.post(SEND, json={"phone": "01012345678"}), 422, "Invalid phone number format"
    )


@pytest.mark.parametrize("otp", ["12345", "1234567", "12345a", "", "１２３４５６", 123456])
async def test_only_six_ascii_digits_are_an_otp(client: httpx.AsyncClient, otp: object) -> None:
    response = await client.post(LOGIN, json={"phone": random_phone(), "otp": otp})
    assert response.status_code == 422
    assert response.json()["statusCode"] == 422


async def test_resend_cooldown(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    phone = random_phone()
    assert (await client.post(SEND, json={"phone": phone})).status_code == 200
    clock.advance(seconds=30)
    again = await client.post(SEND, json={"phone": phone})
    assert_error(again, 429, "Please wait before requesting a new OTP")
    assert again.headers["Retry-After"] == "30"
    clock.advance(seconds=30)
    assert (await client.post(SEND, json={"phone": phone})).status_code == 200


@NO_LIMITS
async def test_daily_cap_per_phone(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    phone = random_phone()
    for _ in range(10):
        assert (await client.post(SEND, json={"phone": phone})).status_code == 200
        clock.advance(seconds=61)
    capped = await client.post(SEND, json={"phone": phone})
    assert capped.status_code == 429
    assert int(capped.headers["Retry-After"]) > 3600
    clock.advance(days=1)
    assert (await client.post(SEND, json={"phone": phone})).status_code == 200


async def test_code_expires(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    clock.advance(seconds=300)
    response = await client.post(REGISTER, json={"phone": phone, "otp": code, "name": "Late User"})
    assert_error(response, 400, "OTP has expired")


@with_settings(otp_ttl_seconds=120)
async def test_lifetime_is_configurable(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    clock.advance(seconds=119)
    assert (await client.post(VERIFY, json={"phone": phone, "otp": code})).json()["data"] == {
        "isValid": True
    }
    clock.advance(seconds=1)
    assert_error(
        await client.post(VERIFY, json={"phone": phone, "otp": code}), 400, "OTP has expired"
    )


@NO_LIMITS
async def test_wrong_tries_spend_the_code(client: httpx.AsyncClient, factory: Factory) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = await client.post(
            REGISTER, json={"phone": phone, "otp": wrong, "name": "Guess User"}
        )
        assert_error(response, 400, "Invalid OTP")
    right = await client.post(REGISTER, json={"phone": phone, "otp": code, "name": "Guess User"})
    assert_error(right, 429, "Maximum OTP attempts exceeded")


@with_settings(otp_max_attempts=2, rate_limit_enabled=False)
async def test_attempt_cap_is_configurable(client: httpx.AsyncClient, factory: Factory) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        await client.post(VERIFY, json={"phone": phone, "otp": wrong})
    assert_error(
        await client.post(VERIFY, json={"phone": phone, "otp": code}),
        429,
        "Maximum OTP attempts exceeded",
    )


async def test_a_right_code_is_checked_and_spent_in_one_statement(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    with statements_run(app) as statements:
        response = await client.post(REGISTER, json={"phone": phone, "otp": code, "name": "Quick"})
    assert response.status_code == 201, response.text
    touching_codes = [statement for statement in statements if "otp_codes" in statement]
    assert len(touching_codes) == 1
    assert touching_codes[0].startswith("UPDATE otp_codes SET consumed_at")


async def test_a_code_works_once(client: httpx.AsyncClient, factory: Factory) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    first = await client.post(REGISTER, json={"phone": phone, "otp": code, "name": "Once User"})
    assert first.status_code == 201
    second = await client.post(LOGIN, json={"phone": phone, "otp": code})
    assert_error(second, 400, "Invalid OTP")


async def test_a_new_code_retires_the_previous_one(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    phone = random_phone()
    old = await factory.send_code(phone)
    clock.advance(seconds=61)
    new = await factory.send_code(phone)
    if old != new:
        assert_error(
            await client.post(REGISTER, json={"phone": phone, "otp": old, "name": "Old Code"}), 400
        )
    assert (
        await client.post(REGISTER, json={"phone": phone, "otp": new, "name": "New Code"})
    ).status_code == 201


async def test_verify_checks_without_spending(client: httpx.AsyncClient, factory: Factory) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    checked = await client.post(VERIFY, json={"phone": phone, "otp": code})
    assert checked.json() == {"status": "success", "data": {"isValid": True}}
    assert (
        await client.post(REGISTER, json={"phone": phone, "otp": code, "name": "Checked User"})
    ).status_code == 201


async def test_verify_counts_wrong_tries(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    phone = random_phone()
    code = await factory.send_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    response = await client.post(VERIFY, json={"phone": phone, "otp": wrong})
    assert response.json() == {"status": "success", "data": {"isValid": False}}
    [stored] = await _codes(app, phone)
    assert stored.attempts == 1


async def test_verify_with_no_code_is_not_valid(client: httpx.AsyncClient) -> None:
    response = await client.post(VERIFY, json={"phone": random_phone(), "otp": "123456"})
    assert response.json()["data"] == {"isValid": False}


async def test_reset_codes_do_not_sign_in_and_login_codes_do_not_reset(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    account = await factory.customer()
    assert (
        await client.post("/api/v1/auth/forgot-password", json={"phone": account.phone})
    ).status_code == 200
    reset_code = factory.last_code(account.phone)
    assert_error(
        await client.post(LOGIN, json={"phone": account.phone, "otp": reset_code}),
        400,
        "Invalid OTP",
    )
    clock.advance(seconds=61)
    login_code = await factory.send_code(account.phone)
    reset = await client.post(
        "/api/v1/auth/reset-password",
        json={"phone": account.phone, "otp": login_code, "newPassword": "N3w!Password"},
    )
    if login_code != reset_code:
        assert_error(reset, 400, "Invalid OTP")


@with_settings(test_otps="+201000000001=123456,+201000000002=654321")
async def test_fixed_test_codes_are_never_sent(
    client: httpx.AsyncClient, outbox: OutboxSmsProvider
) -> None:
    for _ in range(3):  # no cooldown for QA numbers
        assert (await client.post(SEND, json={"phone": "+201000000001"})).status_code == 200
    assert outbox.messages == []
    registered = await client.post(
        REGISTER, json={"phone": "+201000000001", "otp": "123456", "name": "Store Review"}
    )
    assert registered.status_code == 201, registered.text
    assert (await client.post(SEND, json={"phone": "+201000000001"})).status_code == 200
    assert (
        await client.post(LOGIN, json={"phone": "+201000000001", "otp": "123456"})
    ).status_code == 200


async def test_forgot_password_does_not_reveal_accounts(
    client: httpx.AsyncClient, factory: Factory, outbox: OutboxSmsProvider
) -> None:
    known = await factory.customer()
    unknown = random_phone()
    answers = [
        await client.post("/api/v1/auth/forgot-password", json={"phone": phone})
        for phone in (known.phone, unknown)
    ]
    assert [answer.json() for answer in answers] == [
        {"status": "success", "message": "OTP sent to your phone"}
    ] * 2
    assert [message.phone for message in outbox.messages] == [known.phone]
    again = [
        await client.post("/api/v1/auth/forgot-password", json={"phone": phone})
        for phone in (known.phone, unknown)
    ]
    assert [(answer.status_code, answer.json()["message"]) for answer in again] == [
        (429, "Please wait before requesting a new OTP")
    ] * 2
