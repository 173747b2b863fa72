"""Two events of one customer handled at the same moment in two transactions (two workers):
the frequency cap still admits exactly one run. PostgreSQL, where handlers run concurrently."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.automations.execution import run_automations
from fitcoach.core.clock import FrozenClock
from fitcoach.models import AutomationRun, Notification
from fitcoach.worker.events import DomainEvent, handling_at_depth
from tests.automations.events import WorkoutLogged, rule
from tests.factories import Factory

pytestmark = pytest.mark.postgres_only


def _skipped(customer_id: object, clock: FrozenClock) -> WorkoutLogged:
    return WorkoutLogged(
        occurred_at=clock.now(),
        actor_id=None,
        subject_type="customer",
        subject_id=str(customer_id),
        customer_id=customer_id,
        status="skipped",
        minutes=20,
    )


async def test_concurrent_events_of_one_customer_run_once_under_the_cap(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    created = await client.post("/api/v1/automations", json=rule(), headers=admin.headers)
    assert created.status_code == 201, created.text
    events = [_skipped(customer.id, clock) for _ in range(2)]
    started = asyncio.Barrier(2)

    async def handle(event: DomainEvent) -> None:
        # As the worker runs a handler: its own transaction.
        async with app.state.sessionmaker() as session, session.begin():
            handling_at_depth(session, 0)
            await started.wait()
            await run_automations(session, event)

    await asyncio.gather(*(handle(event) for event in events))

    async with app.state.sessionmaker() as session:
        outcomes = sorted((await session.scalars(select(AutomationRun.outcome))).all())
        notifications = (await session.scalars(select(Notification))).all()
    assert outcomes == ["frequencyCap", "performed"]
    assert len(notifications) == 1
