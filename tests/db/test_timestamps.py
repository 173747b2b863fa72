"""Time from one place: every table's `created_at` and `updated_at` come from the one mixin, and
the mixin stamps them from the app's clock, for ORM writes and Core statements alike."""

from __future__ import annotations

from datetime import datetime

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from fitcoach.core.clock import FrozenClock
from fitcoach.db.base import Base, TimestampMixin
from fitcoach.models import AuditEntry, Job, OutboxEvent, ProcessedEvent, Setting, WorkerHeartbeat
from tests.factories import Factory

FREE_DAYS = "/api/v1/admin/settings/free-days/default"


def test_every_table_takes_its_timestamps_from_the_mixin() -> None:
    without = {
        mapper.class_.__name__
        for mapper in Base.registry.mappers
        if not issubclass(mapper.class_, TimestampMixin)
    }
    # The audit log is append-only: its occurred_at is its creation time, never updated. The
    # worker's bookkeeping keeps wall-clock times of its own (recorded, leased, processed, seen):
    # leases and heartbeats must follow real time even when a test moves the app's clock.
    assert without == {
        AuditEntry.__name__,
        OutboxEvent.__name__,
        Job.__name__,
        ProcessedEvent.__name__,
        WorkerHeartbeat.__name__,
    }


async def _stamps(app: FastAPI, key: str) -> tuple[datetime, datetime]:
    async with app.state.sessionmaker() as session:
        row = (
            await session.execute(
                select(Setting.created_at, Setting.updated_at).where(Setting.key == key)
            )
        ).one()
    return row.created_at, row.updated_at


async def test_a_request_stamps_rows_with_the_apps_clock(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin = await factory.admin()
    created = clock.now()
    response = await client.post(FREE_DAYS, json={"days": 14}, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert await _stamps(app, "DEFAULT_FREE_DAYS") == (created, created)

    clock.advance(minutes=5)
    response = await client.post(FREE_DAYS, json={"days": 21}, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert await _stamps(app, "DEFAULT_FREE_DAYS") == (created, clock.now())


async def test_an_update_statement_stamps_updated_at_with_the_apps_clock(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin = await factory.admin()
    created = clock.now()
    response = await client.post(FREE_DAYS, json={"days": 14}, headers=admin.headers)
    assert response.status_code == 200, response.text

    clock.advance(minutes=7)
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(update(Setting).values(value="30"))
    assert await _stamps(app, "DEFAULT_FREE_DAYS") == (created, clock.now())
