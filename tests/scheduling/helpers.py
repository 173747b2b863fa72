"""Scheduling sessions and granting sessions to customers, for the scheduling tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from fitcoach.scheduling.entitlements.service import Grant, entitlement_service
from fitcoach.worker.store import relay_outbox
from tests.factories import Account, Factory

SESSIONS = "/api/v1/sessions"


def at(factory: Factory, days: int, hour: int, minute: int = 0) -> str:
    """A UTC moment `days` days from the clock's day, at hour:minute, as the wire writes it."""
    day = factory.now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return (day + timedelta(hours=hour, minutes=minute)).isoformat().replace("+00:00", "Z")


async def grant_sessions(
    factory: Factory, customers: list[Account], sessions: int = 4, days: int = 60
) -> None:
    """Each customer gets `sessions` sessions valid from now for `days` days (as commerce would
    grant a paid month)."""
    now = factory.now
    async with factory.app.state.sessionmaker() as session, session.begin():
        for customer in customers:
            await entitlement_service.grant(
                session,
                Grant(
                    customer_id=customer.id,
                    sessions=sessions,
                    valid_from=now,
                    valid_until=now + timedelta(days=days),
                    reason="Test membership",
                ),
                None,
                now,
            )


async def schedule(
    factory: Factory, staff: Account, coach: Account, **fields: Any
) -> httpx.Response:
    body: dict[str, Any] = {
        "type": "group",
        "startTime": at(factory, 2, 10),
        "endTime": at(factory, 2, 11),
        "timezone": "Africa/Cairo",
        "coachId": coach.user_id,
        "location": "Studio A",
        "capacity": 8,
        "participants": [],
        **fields,
    }
    return await factory.client.post(SESSIONS, json=body, headers=staff.headers)


async def scheduled(factory: Factory, staff: Account, coach: Account, **fields: Any) -> dict:  # type: ignore[type-arg]
    response = await schedule(factory, staff, coach, **fields)
    assert response.status_code == 201, response.text
    data: dict = response.json()["data"]  # type: ignore[type-arg]
    return data


async def balance(factory: Factory, viewer: Account, customer: Account) -> int:
    response = await factory.client.get(
        f"/api/v1/customers/{customer.user_id}/entitlements", headers=viewer.headers
    )
    assert response.status_code == 200, response.text
    value: int = response.json()["data"]["balance"]
    return value


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def run_events(factory: Factory) -> None:
    """Relay the committed events and run their handlers' jobs, as the worker would."""
    app = factory.app
    for job_id in await relay_outbox(app.state.sessionmaker, 500):
        await app.state.worker.runner.run(job_id, set())


async def inbox(factory: Factory, account: Account) -> list[dict[str, Any]]:
    response = await factory.client.get("/api/v1/notifications", headers=account.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["items"]
    return items


async def change(
    factory: Factory, account: Account, session_id: str, **body: Any
) -> httpx.Response:
    return await factory.client.patch(
        f"{SESSIONS}/{session_id}", json=body, headers=account.headers
    )
