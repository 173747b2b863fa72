"""Shared steps of the notification tests, all through the API or the real services."""

from __future__ import annotations

import base64
import os
import uuid
from datetime import datetime
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import Delivery, Notification
from tests.factories import Account


def webpush_keys() -> dict[str, str]:
    """A browser's subscription keys: a P-256 public key and a 16-byte auth secret."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return {"p256dh": _b64url(public), "auth": _b64url(os.urandom(16))}


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


WEBPUSH_KEYS = webpush_keys()


async def grant(
    client: httpx.AsyncClient, admin: Account, customer: Account, days: int = 30
) -> None:
    response = await client.post(
        f"/api/v1/admin/users/{customer.id}/subscription",
        json={"type": "paid", "days": days},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text


async def register_fcm(client: httpx.AsyncClient, account: Account, token: str) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/devices", json={"kind": "fcm", "token": token}, headers=account.headers
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def register_webpush(
    client: httpx.AsyncClient, account: Account, endpoint: str, keys: dict[str, str] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/devices",
        json={
            "kind": "webpush",
            "subscription": {"endpoint": endpoint, "keys": keys or WEBPUSH_KEYS},
        },
        headers=account.headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def inbox(client: httpx.AsyncClient, account: Account, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/api/v1/notifications{query}", headers=account.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def deliveries_of(app: FastAPI, user_id: uuid.UUID) -> dict[str, Delivery]:
    """The deliveries of the user's newest notification, by channel."""
    async with app.state.sessionmaker() as session:
        notification_id = await session.scalar(
            select(Notification.id)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc())
            .limit(1)
        )
        rows = await session.scalars(
            select(Delivery).where(Delivery.notification_id == notification_id)
        )
        return {row.channel: row for row in rows}


def move_to(clock: FrozenClock, moment: datetime) -> None:
    clock.advance(seconds=(moment - clock.now()).total_seconds())
