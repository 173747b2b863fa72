"""The real push adapters (Web Push through pywebpush with VAPID, FCM HTTP v1 with a service
account) against a local stand-in for the push services: what they send, and that a device the
service calls gone (404/410) is removed while a server error is retried later."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.app import create_app
from fitcoach.models import Device
from fitcoach.notifications.delivery import deliver_due_notifications
from tests.conftest import make_settings
from tests.factories import Factory
from tests.notifications.helpers import deliveries_of, grant, register_fcm, register_webpush
from tests.notifications.push_service import PushService
from tests.standalone import TEST_PEER
from tests.stream.live import served


def _pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


VAPID_KEY = ec.generate_private_key(ec.SECP256R1())
FCM_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class LivePush:
    service: PushService
    url: str
    app: FastAPI
    factory: Factory


@pytest.fixture
async def live_push(app: FastAPI, database_url: str, tmp_path: Path) -> AsyncIterator[LivePush]:
    """An app whose push goes to the stand-in (the `app` fixture, on the same database, empties
    the tables afterwards)."""
    fcm_public = FCM_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    service = PushService(fcm_public_key=fcm_public.decode())
    async with served(service.app()) as url:
        settings = make_settings(
            database_url,
            tmp_path,
            push_provider="live",
            webpush_vapid_private_key=_pem(VAPID_KEY),
            webpush_vapid_subject="mailto:ops@fitcoach.test",
            fcm_project_id="demo",
            fcm_client_email="push@demo.iam.gserviceaccount.com",
            fcm_private_key=_pem(FCM_KEY),
            fcm_base_url=url,
            fcm_token_url=f"{url}/token",
            push_timeout_seconds=5,
        )
        live_app = create_app(settings, clock=app.state.clock)
        transport = httpx.ASGITransport(app=live_app, client=TEST_PEER)
        async with (
            live_app.router.lifespan_context(live_app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        ):
            yield LivePush(service, url, live_app, Factory(live_app, client))


async def device_tokens(app: FastAPI) -> set[str]:
    async with app.state.sessionmaker() as session:
        return set(await session.scalars(select(Device.token)))


def _unpadded(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


async def test_web_push_sends_an_encrypted_payload_signed_with_vapid(
    live_push: LivePush,
) -> None:
    factory, client = live_push.factory, live_push.factory.client
    admin, customer = await factory.admin(), await factory.customer()
    await register_webpush(client, customer, f"{live_push.url}/push/browser-1")

    await grant(client, admin, customer)

    [received] = live_push.service.to("/push/")
    assert received.path == "/push/browser-1"
    assert received.headers["content-encoding"] == "aes128gcm"
    assert int(received.headers["ttl"]) > 0
    # VAPID (RFC 8292): a JWT for the push service's origin, signed by our key.
    scheme, _, params = received.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    public = VAPID_KEY.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert _unpadded(fields["k"]) == public
    claims = jwt.decode(
        fields["t"], VAPID_KEY.public_key(), algorithms=["ES256"], audience=live_push.url
    )
    assert claims["sub"] == "mailto:ops@fitcoach.test"
    # The payload is encrypted for the browser: the title is not readable on the wire.
    assert b"Your subscription is active" not in received.body
    assert len(received.body) > 100
    assert (await deliveries_of(live_push.app, customer.id))["push"].state == "sent"


async def test_a_gone_subscription_is_removed_and_the_others_still_get_it(
    live_push: LivePush,
) -> None:
    factory, client = live_push.factory, live_push.factory.client
    admin, customer = await factory.admin(), await factory.customer()
    live_push.service.statuses["/push/gone"] = 410
    live_push.service.statuses["fcm-unregistered"] = 404
    await register_webpush(client, customer, f"{live_push.url}/push/gone")
    await register_webpush(client, customer, f"{live_push.url}/push/alive")
    await register_fcm(client, customer, "fcm-unregistered")

    await grant(client, admin, customer)

    assert await device_tokens(live_push.app) == {f"{live_push.url}/push/alive"}
    assert (await deliveries_of(live_push.app, customer.id))["push"].state == "sent"


async def test_only_gone_devices_leave_nowhere_to_push(live_push: LivePush) -> None:
    factory, client = live_push.factory, live_push.factory.client
    admin, customer = await factory.admin(), await factory.customer()
    live_push.service.statuses["/push/gone-alone"] = 404
    await register_webpush(client, customer, f"{live_push.url}/push/gone-alone")
    await grant(client, admin, customer)
    assert await device_tokens(live_push.app) == set()
    push = (await deliveries_of(live_push.app, customer.id))["push"]
    assert push.state == "skipped"


async def test_fcm_sends_with_a_service_account_token(live_push: LivePush) -> None:
    factory, client = live_push.factory, live_push.factory.client
    admin, customer = await factory.admin(), await factory.customer()
    await register_fcm(client, customer, "fcm-phone-1")

    await grant(client, admin, customer, days=30)
    await grant(client, admin, customer, days=60)

    sent = live_push.service.to("/v1/projects/demo/messages:send")
    assert len(sent) == 2
    message = sent[0].json()["message"]
    assert message["token"] == "fcm-phone-1"
    assert message["notification"]["title"] == "Your subscription is active"
    assert set(message["data"]) == {"notificationId", "category", "payload"}
    assert all(isinstance(value, str) for value in message["data"].values())
    # One access token serves both sends.
    assert live_push.service.token_requests == 1


async def test_a_push_service_error_is_retried_later(live_push: LivePush) -> None:
    factory, client = live_push.factory, live_push.factory.client
    admin, customer = await factory.admin(), await factory.customer()
    live_push.service.statuses["fcm-flaky"] = 503
    await register_fcm(client, customer, "fcm-flaky")

    await grant(client, admin, customer)

    push = (await deliveries_of(live_push.app, customer.id))["push"]
    assert push.state == "pending"
    assert push.attempts == 1
    assert push.last_error == "FCM HTTP 503"
    assert push.due_at == live_push.app.state.clock.now() + timedelta(seconds=30)
    assert await device_tokens(live_push.app) == {"fcm-flaky"}


async def test_the_stand_in_is_reachable(live_push: LivePush) -> None:
    async with httpx.AsyncClient(base_url=live_push.url) as client:
        assert (await client.post("/push/probe")).status_code == 201


async def test_a_delivery_that_keeps_failing_ends_failed_after_its_attempts(
    live_push: LivePush,
) -> None:
    factory, client, app = live_push.factory, live_push.factory.client, live_push.app
    admin, customer = await factory.admin(), await factory.customer()
    live_push.service.statuses["fcm-down"] = 500
    await register_fcm(client, customer, "fcm-down")
    await grant(client, admin, customer)

    providers = app.state.notification_providers
    for _ in range(providers.max_attempts - 1):
        app.state.clock.advance(hours=1)
        assert await deliver_due_notifications(app.state.sessionmaker, providers) == 1
    push = (await deliveries_of(app, customer.id))["push"]
    assert (push.state, push.attempts) == ("failed", providers.max_attempts)
    assert push.last_error == "FCM HTTP 500"
    app.state.clock.advance(hours=1)
    assert await deliver_due_notifications(app.state.sessionmaker, providers) == 0
    assert len(live_push.service.to("/v1/projects/demo/messages:send")) == providers.max_attempts
