"""Push devices over HTTP: register a Web Push subscription or an FCM token, register the same
one again (it moves to the latest user), remove one's own and only one's own."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.models import Device
from tests.factories import Factory, assert_error, with_settings
from tests.notifications.helpers import WEBPUSH_KEYS, register_fcm, register_webpush


async def devices_of(app: FastAPI) -> list[tuple[str, str, str]]:
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(select(Device).order_by(Device.created_at, Device.token))
        return [(str(row.user_id), row.kind, row.token) for row in rows]


async def test_register_and_remove(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    customer = await factory.customer()
    web = await register_webpush(client, customer, "https://push.example.test/sub/1")
    fcm = await register_fcm(client, customer, "fcm-token-a")
    assert web["kind"] == "webpush"
    assert fcm["kind"] == "fcm"
    assert "token" not in fcm
    assert len(await devices_of(app)) == 2

    response = await client.delete(f"/api/v1/devices/{web['id']}", headers=customer.headers)
    assert response.status_code == 200, response.text
    assert await devices_of(app) == [(customer.user_id, "fcm", "fcm-token-a")]


async def test_a_token_registered_again_moves_to_the_new_user(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    first, second = await factory.customer(), await factory.customer()
    await register_fcm(client, first, "shared-phone")
    await register_fcm(client, second, "shared-phone")
    assert await devices_of(app) == [(second.user_id, "fcm", "shared-phone")]


async def test_nobody_removes_another_users_device(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    owner, other = await factory.customer(), await factory.customer()
    device = await register_fcm(client, owner, "owner-token")
    response = await client.delete(f"/api/v1/devices/{device['id']}", headers=other.headers)
    assert_error(response, 404, "Device not found")
    assert len(await devices_of(app)) == 1
    assert_error(await client.delete(f"/api/v1/devices/{device['id']}"), 401)


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "fcm"},
        {"kind": "fcm", "token": ""},
        {"kind": "apns", "token": "x"},
        {"kind": "webpush", "subscription": {"endpoint": "ftp://x", "keys": WEBPUSH_KEYS}},
        {"kind": "webpush", "subscription": {"endpoint": "https://x.test/1", "keys": {}}},
        {"kind": "fcm", "token": "x", "userId": "00000000-0000-0000-0000-000000000000"},
    ],
)
async def test_bad_devices_are_refused(
    client: httpx.AsyncClient, factory: Factory, body: dict[str, object]
) -> None:
    customer = await factory.customer()
    assert_error(await client.post("/api/v1/devices", json=body, headers=customer.headers), 422)


@with_settings(
    env="production",
    jwt_secret="p" * 40,
    push_provider="console",
    email_provider="console",
    sms_provider="console",
    allow_console_sms_in_production=True,
    allow_unscanned_attachments_in_production=True,
)
async def test_production_takes_only_https_push_endpoints(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    response = await client.post(
        "/api/v1/devices",
        json={
            "kind": "webpush",
            "subscription": {"endpoint": "http://10.0.0.5/internal", "keys": WEBPUSH_KEYS},
        },
        headers=customer.headers,
    )
    assert_error(response, 422, "A Web Push endpoint must be an https URL")
