"""Factories: accounts built through the real services (and committed), with real tokens."""

from __future__ import annotations

import itertools
import re
import secrets
import uuid
from dataclasses import dataclass, field

import httpx
import pyotp
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from fitcoach.auth.otp.providers import OutboxSmsProvider
from fitcoach.auth.password_hashing import hash_password
from fitcoach.auth.tokens.service import ClientInfo, session_service
from fitcoach.models import CoachAssignment, Questionnaire
from fitcoach.models.enums import Role
from fitcoach.subscriptions.service import subscription_service
from fitcoach.users.schemas import BodyMetricsIn
from fitcoach.users.service import NewUser, user_service
from tests.db.migrations import load_migration

STRONG_PASSWORD = "Str0ng!Passw0rd"


# The migration that writes questionnaire version 1; its questions are the reference.
FIRST_MIGRATION = load_migration("20261122_0005_onboarding_customers.py")
_CODE = re.compile(r"\b(\d{6})\b")


# argon2 at its real parameters takes tens of milliseconds a hash, and most tests make several
# accounts with the same password: one hash per password and process serves them all (a hash
# verifies whatever its salt).
_HASHES: dict[str, str] = {}


async def hashed(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = await hash_password(password)
    return _HASHES[password]


# Counted from a random start: unique within a test process, whose databases are its own.
# Eight random digits each time collided about once in a few thousand numbers within one
# module's database (the access matrix builds that many accounts).
_PHONE_NUMBERS = itertools.count(secrets.randbelow(10**8))


def random_phone() -> str:
    return f"+2010{next(_PHONE_NUMBERS) % 10**8:08d}"


@dataclass
class Account:
    id: uuid.UUID
    phone: str
    access_token: str
    refresh_token: str
    password: str | None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def user_id(self) -> str:
        return str(self.id)


class Factory:
    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client

    @property
    def now(self):  # type: ignore[no-untyped-def]
        return self.app.state.clock.now()

    async def account(
        self,
        *roles: Role,
        phone: str | None = None,
        password: str | None = STRONG_PASSWORD,
        name: str = "Test Person",
        email: str | None = None,
        with_free_trial: bool = True,
        metrics: BodyMetricsIn | None = None,
    ) -> Account:
        phone = phone or random_phone()
        settings = self.app.state.settings
        async with self.app.state.sessionmaker() as session, session.begin():
            user = await user_service.create(
                session,
                NewUser(
                    name=name,
                    roles=list(roles) or [Role.CUSTOMER],
                    phone=phone,
                    email=email,
                    password_hash=await hashed(password) if password else None,
                    phone_verified=True,
                    metrics=(
                        metrics or BodyMetricsIn(height=180, weight=75, age=30, gender="male")
                    ).to_metrics(),
                ),
            )
            if with_free_trial:
                await subscription_service.start_free_trial(session, user.id, self.now)
            issued = await session_service.start_session(
                session,
                settings,
                user,
                ClientInfo(ip="203.0.113.10", user_agent="factory"),
                self.now,
            )
        return Account(
            id=user.id,
            phone=phone,
            access_token=issued.access_token,
            refresh_token=issued.refresh_token,
            password=password,
            headers={"Authorization": f"Bearer {issued.access_token}"},
        )

    async def customer(self, **kwargs: object) -> Account:
        return await self.account(Role.CUSTOMER, **kwargs)  # type: ignore[arg-type]

    async def coach(self, **kwargs: object) -> Account:
        return await self.account(Role.COACH, with_free_trial=False, **kwargs)  # type: ignore[arg-type]

    async def admin(self, **kwargs: object) -> Account:
        return await self.account(Role.ADMIN, with_free_trial=False, **kwargs)  # type: ignore[arg-type]

    async def assign_coach(self, coach: Account, customer: Account) -> None:
        """`coach` looks after `customer` from now on (written directly, without an admin)."""
        async with self.app.state.sessionmaker() as session, session.begin():
            session.add(
                CoachAssignment(customer_id=customer.id, coach_id=coach.id, assigned_at=self.now)
            )

    async def unassign_coach(self, coach: Account, customer: Account) -> None:
        async with self.app.state.sessionmaker() as session, session.begin():
            await session.execute(
                update(CoachAssignment)
                .where(
                    CoachAssignment.customer_id == customer.id,
                    CoachAssignment.coach_id == coach.id,
                    CoachAssignment.unassigned_at.is_(None),
                )
                .values(unassigned_at=self.now)
            )

    async def first_questionnaire(self) -> None:
        """Put back version 1 of the questionnaire, which the migration writes and the
        per-test clean-up removes."""
        async with self.app.state.sessionmaker() as session, session.begin():
            if await session.scalar(select(Questionnaire.id).limit(1)) is not None:
                return
            session.add(
                Questionnaire(
                    id=uuid.UUID(FIRST_MIGRATION.FIRST_QUESTIONNAIRE_ID),
                    version=1,
                    status="current",
                    questions=FIRST_MIGRATION.FIRST_QUESTIONS,
                    created_at=self.now,
                )
            )

    def last_code(self, phone: str) -> str:
        outbox: OutboxSmsProvider = self.app.state.sms_provider
        for message in reversed(outbox.messages):
            if message.phone == phone:
                match = _CODE.search(message.text)
                assert match, message.text
                return match.group(1)
        raise AssertionError(f"no SMS was sent to {phone}")

    async def send_code(self, phone: str, path: str = "/api/v1/auth/otp/send") -> str:
        response = await self.client.post(path, json={"phone": phone})
        assert response.status_code == 200, response.text
        return self.last_code(phone)

    async def register_by_otp(self, phone: str | None = None, name: str = "Otp Person") -> dict:  # type: ignore[type-arg]
        phone = phone or random_phone()
        code = await self.send_code(phone)
        response = await self.client.post(
            "/api/v1/auth/otp/register", json={"phone": phone, "otp": code, "name": name}
        )
        assert response.status_code == 201, response.text
        data: dict = response.json()["data"]  # type: ignore[type-arg]
        return data


@dataclass
class MfaDevice:
    """An authenticator app holding `secret`, and the recovery codes shown at confirmation."""

    secret: str
    recovery_codes: list[str]

    def code(self, factory: Factory) -> str:
        return pyotp.TOTP(self.secret).at(factory.now)


async def enable_mfa(factory: Factory, account: Account) -> MfaDevice:
    """Turn TOTP on for `account` through the API. The confirming code's time step is then used:
    advance the clock 30 seconds before the next code."""
    setup = await factory.client.post("/api/v1/auth/mfa/totp/setup", headers=account.headers)
    assert setup.status_code == 200, setup.text
    secret = setup.json()["data"]["secret"]
    confirm = await factory.client.post(
        "/api/v1/auth/mfa/totp/confirm",
        json={"code": pyotp.TOTP(secret).at(factory.now)},
        headers=account.headers,
    )
    assert confirm.status_code == 200, confirm.text
    return MfaDevice(secret=secret, recovery_codes=confirm.json()["data"]["recoveryCodes"])


def with_settings(**overrides: object) -> pytest.MarkDecorator:
    """Run a test against an app built with these settings."""
    return pytest.mark.parametrize("settings_overrides", [overrides], indirect=True)


def assert_error(
    response: httpx.Response, status: int, message: str | None = None, *, code: str | None = None
) -> None:
    """The error envelope of the auth-flow update, with statusCode equal to the HTTP status and
    a machine-readable code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error"
    assert body["statusCode"] == status
    assert re.fullmatch(r"[a-z][a-z0-9_]*", body["code"]), body
    if code is not None:
        assert body["code"] == code, body
    if message is not None:
        assert body["message"] == message
