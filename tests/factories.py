"""Factories: accounts built through the real services (and committed), with real tokens."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI

from fitcoach.auth.passwords import hash_password
from fitcoach.auth.service import ClientInfo, auth_service
from fitcoach.models.enums import Role
from fitcoach.otp.providers import OutboxSmsProvider
from fitcoach.subscriptions.service import subscription_service
from fitcoach.users.schemas import BodyMetricsIn
from fitcoach.users.service import user_service

STRONG_PASSWORD = "Str0ng!Passw0rd"
_CODE = re.compile(r"\b(\d{6})\b")


def random_phone() -> str:
    return "+2010" + "".join(secrets.choice("0123456789") for _ in range(8))


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
                name=name,
                roles=list(roles) or [Role.CUSTOMER],
                phone=phone,
                email=email,
                password_hash=await hash_password(password) if password else None,
                phone_verified=True,
                metrics=metrics or BodyMetricsIn(height=180, weight=75, age=30, gender="male"),
            )
            if with_free_trial:
                await subscription_service.start_free_trial(session, user.id, self.now)
            issued = await auth_service.start_session(
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


def with_settings(**overrides: object) -> pytest.MarkDecorator:
    """Run a test against an app built with these settings."""
    return pytest.mark.parametrize("settings_overrides", [overrides], indirect=True)


def assert_error(response: httpx.Response, status: int, message: str | None = None) -> None:
    """The error envelope of the auth-flow update, with statusCode equal to the HTTP status."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error"
    assert body["statusCode"] == status
    if message is not None:
        assert body["message"] == message
