"""Shared steps of the support tests, through the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import OutboxEvent
from fitcoach.models.enums import Role
from tests.factories import Account, Factory
from tests.training.helpers import refresh

CAIRO = "Africa/Cairo"
# Egypt works Sunday to Thursday.
CAIRO_WEEK = {
    day: {"start": "09:00", "end": "17:00"}
    for day in ("sunday", "monday", "tuesday", "wednesday", "thursday")
}
TARGETS = {
    "urgent": {"firstResponseMinutes": 60, "resolutionMinutes": 480},
    "high": {"firstResponseMinutes": 240, "resolutionMinutes": 960},
    "normal": {"firstResponseMinutes": 480, "resolutionMinutes": 2400},
    "low": {"firstResponseMinutes": 960, "resolutionMinutes": 4800},
}


async def agent(factory: Factory, name: str = "Agent") -> Account:
    return await factory.account(Role.SUPPORT_AGENT, with_free_trial=False, name=name)


async def set_cairo_policy(factory: Factory, admin: Account, holidays: list[str]) -> None:
    response = await factory.client.put(
        "/api/v1/admin/settings/support",
        json={
            "timeZone": CAIRO,
            "workingHours": CAIRO_WEEK,
            "holidays": holidays,
            "targets": TARGETS,
        },
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text


async def opened(
    factory: Factory, requester: Account, priority: str = "normal", **extra: Any
) -> dict[str, Any]:
    response = await factory.client.post(
        "/api/v1/support/tickets",
        json={
            "subject": "Cannot see my plan",
            "description": "The week is empty.",
            "priority": priority,
            "attachments": [],
            **extra,
        },
        headers=requester.headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def reply(
    factory: Factory, author: Account, ticket_id: str, body: str = "Thanks"
) -> dict[str, Any]:
    response = await factory.client.post(
        f"/api/v1/support/tickets/{ticket_id}/replies",
        json={"body": body, "attachments": []},
        headers=author.headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def move(factory: Factory, actor: Account, ticket_id: str, status: str) -> Any:
    return await factory.client.post(
        f"/api/v1/support/tickets/{ticket_id}/status",
        json={"status": status},
        headers=actor.headers,
    )


async def later(factory: Factory, clock: FrozenClock, *accounts: Account, **delta: float) -> None:
    """Move the clock on, and sign `accounts` in again past their access tokens' life."""
    clock.advance(**delta)
    for account in accounts:
        await refresh(factory, account)


async def sla_events(factory: Factory) -> list[tuple[str, str, str]]:
    """(type, deadline, ticket id) of every SLA event recorded, in order."""
    async with factory.app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.type.in_(["support.sla_warning", "support.sla_breached"]))
            .order_by(OutboxEvent.recorded_at)
        )
        return [(one.type, one.payload["deadline"], one.subject_id) for one in rows]
