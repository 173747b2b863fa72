"""api-design.md's email registration and login, email verification codes, and the legacy
register form alongside."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import EmailVerificationCode
from fitcoach.notifications.email import OutboxEmailProvider, email_provider_of
from tests.audit.trail import only
from tests.factories import STRONG_PASSWORD, assert_error, random_phone

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
VERIFY = "/api/v1/auth/email/verify"
SEND = "/api/v1/auth/email/send-code"
ME = "/api/v1/auth/me"
_CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"email_provider": "outbox"}


@pytest.fixture
def mailbox(app: FastAPI) -> OutboxEmailProvider:
    provider = email_provider_of(app)
    assert isinstance(provider, OutboxEmailProvider)
    return provider


def last_code(mailbox: OutboxEmailProvider, email: str) -> str:
    for message in reversed(mailbox.messages):
        if message.to == email:
            match = _CODE.search(message.text)
            assert match, message.text
            return match.group(1)
    raise AssertionError(f"no email was sent to {email}")


async def _register(client: httpx.AsyncClient, email: str, **metadata: object) -> httpx.Response:
    return await client.post(
        REGISTER,
        json={
            "email": email,
            "password": STRONG_PASSWORD,
            "provider": "email",
            "metadata": metadata,
        },
    )


async def test_register_with_email_answers_tokens_and_mails_a_code(
    client: httpx.AsyncClient, mailbox: OutboxEmailProvider, app: FastAPI
) -> None:
    response = await _register(client, "  New.Member@Example.COM ", name="New Member", age=30)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert set(data) >= {"user", "accessToken", "refreshToken"}
    user = data["user"]
    assert (user["email"], user["roles"], user["emailVerified"]) == (
        "new.member@example.com",
        ["CUSTOMER"],
        False,
    )
    assert (user["name"], user["age"]) == ("New Member", 30)
    [message] = mailbox.messages
    assert message.to == "new.member@example.com"
    assert "verify your email" in message.subject
    async with app.state.sessionmaker() as session:
        stored = (await session.execute(select(EmailVerificationCode))).scalar_one()
    assert last_code(mailbox, message.to) not in stored.code_hash
    assert (await only(app, "user.registered")).details == {"method": "email"}

    code = last_code(mailbox, "new.member@example.com")
    verified = await client.post(VERIFY, json={"email": "NEW.member@example.com", "code": code})
    assert verified.status_code == 200, verified.text
    assert verified.json()["message"] == "Email verified successfully"
    headers = {"Authorization": f"Bearer {data['accessToken']['token']}"}
    me = (await client.get(ME, headers=headers)).json()["data"]
    assert me["user"]["emailVerified"] is True
    assert (await only(app, "auth.email.verified")).resource_id == user["id"]
    # Spent: the same code again is refused.
    assert_error(
        await client.post(VERIFY, json={"email": "new.member@example.com", "code": code}),
        400,
        "Invalid verification code",
    )


async def test_name_defaults_to_the_local_part(client: httpx.AsyncClient) -> None:
    response = await _register(client, "jo@example.com")
    assert response.status_code == 201, response.text
    assert response.json()["data"]["user"]["name"] == "jo"


async def test_email_login(client: httpx.AsyncClient) -> None:
    await _register(client, "login@example.com")
    login = await client.post(
        LOGIN, json={"provider": "email", "email": "Login@Example.com", "password": STRONG_PASSWORD}
    )
    assert login.status_code == 200, login.text
    assert_error(
        await client.post(
            LOGIN, json={"provider": "email", "email": "login@example.com", "password": "x"}
        ),
        401,
        "Invalid credentials",
    )


async def test_email_registration_is_validated(client: httpx.AsyncClient) -> None:
    assert_error(await _register(client, "not-an-email"), 422, "Invalid email address")
    await _register(client, "taken@example.com")
    assert_error(
        await _register(client, "TAKEN@example.com"), 409, "User with this email already exists"
    )
    assert_error(
        await client.post(REGISTER, json={"provider": "email", "email": "a@example.com"}),
        422,
        "password is required",
    )
    weak = await client.post(
        REGISTER, json={"provider": "email", "email": "w@example.com", "password": "weak"}
    )
    assert_error(weak, 422)
    assert weak.json()["errors"][0]["field"] == "password"
    assert_error(
        await client.post(
            REGISTER,
            json={
                "provider": "email",
                "email": "m@example.com",
                "password": STRONG_PASSWORD,
                "metadata": {"name": "Bo"},
            },
        ),
        422,
        "Name must be 5-30 characters",
    )
    assert_error(
        await client.post(
            REGISTER,
            json={
                "provider": "email",
                "email": "x@example.com",
                "password": STRONG_PASSWORD,
                "x": 1,
            },
        ),
        422,
        "x is not an accepted field",
    )
    assert_error(
        await client.post(REGISTER, json=[1, 2]), 422, "Request body must be a JSON object"
    )


async def test_legacy_form_keeps_working_and_mails_a_code(
    client: httpx.AsyncClient, mailbox: OutboxEmailProvider
) -> None:
    response = await client.post(
        REGISTER,
        json={"provider": "legacy@example.com", "password": STRONG_PASSWORD, "name": "Legacy One"},
    )
    assert response.status_code == 201, response.text
    assert [message.to for message in mailbox.messages] == ["legacy@example.com"]
    by_phone = await client.post(
        REGISTER,
        json={"provider": random_phone(), "password": STRONG_PASSWORD, "name": "Phone One"},
    )
    assert by_phone.status_code == 201
    assert len(mailbox.messages) == 1


async def test_wrong_codes_expiry_and_attempt_cap(
    client: httpx.AsyncClient, mailbox: OutboxEmailProvider, clock: FrozenClock
) -> None:
    email = "codes@example.com"
    await _register(client, email)
    code = last_code(mailbox, email)
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    assert_error(
        await client.post(VERIFY, json={"email": email, "code": "12"}),
        422,
        "Verification code must be exactly 6 digits",
    )
    for _ in range(5):
        assert_error(
            await client.post(VERIFY, json={"email": email, "code": wrong}),
            400,
            "Invalid verification code",
        )
    assert_error(
        await client.post(VERIFY, json={"email": email, "code": code}),
        429,
        "Maximum verification attempts exceeded",
    )
    clock.advance(seconds=61)
    sent = await client.post(SEND, json={"email": email})
    assert sent.status_code == 200, sent.text
    assert_error(
        await client.post(SEND, json={"email": email}),
        429,
        "Please wait before requesting a new code",
    )
    fresh = last_code(mailbox, email)
    clock.advance(seconds=1_800)
    assert_error(
        await client.post(VERIFY, json={"email": email, "code": fresh}),
        400,
        "Verification code has expired",
    )


async def test_email_routes_refuse_malformed_addresses(client: httpx.AsyncClient) -> None:
    assert_error(
        await client.post(SEND, json={"email": "not-an-email"}), 422, "Invalid email address"
    )
    assert_error(
        await client.post(VERIFY, json={"email": "nobody@", "code": "123456"}),
        422,
        "Invalid email address",
    )


async def test_send_code_answers_alike_for_unknown_addresses(
    client: httpx.AsyncClient, mailbox: OutboxEmailProvider
) -> None:
    response = await client.post(SEND, json={"email": "nobody@example.com"})
    assert response.status_code == 200
    assert response.json()["message"] == "If this email awaits verification, a code has been sent"
    assert mailbox.messages == []
    assert_error(
        await client.post(VERIFY, json={"email": "nobody@example.com", "code": "123456"}),
        400,
        "Invalid verification code",
    )


async def test_registration_is_rate_limited_per_ip_across_its_forms(
    client: httpx.AsyncClient,
) -> None:
    # README documents 10 per client IP per hour, shared by every form of the body.
    for number in range(5):
        response = await _register(client, f"rate{number}@example.com")
        assert response.status_code == 201, response.text
        legacy = await client.post(
            REGISTER,
            json={"provider": random_phone(), "password": STRONG_PASSWORD, "name": "Rate Limited"},
        )
        assert legacy.status_code == 201, legacy.text
    limited = await _register(client, "rate10@example.com")
    assert_error(limited, 429, "Too many requests, please try again later")
    assert limited.headers["RateLimit-Limit"] == "10"
    assert 0 < int(limited.headers["Retry-After"]) <= 3600
    legacy = await client.post(
        REGISTER,
        json={"provider": "late@example.com", "password": STRONG_PASSWORD, "name": "Too Late"},
    )
    assert_error(legacy, 429)
