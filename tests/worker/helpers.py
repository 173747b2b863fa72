"""Shared by the worker tests: recording sample events, counting effects, waiting."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.app import create_app
from fitcoach.config import Settings
from fitcoach.core.clock import Clock
from fitcoach.models import AuditEntry, Job
from fitcoach.worker.events import record_event
from tests.worker.sample import SampleHappened

Sessions = async_sessionmaker[AsyncSession]


async def record_samples(sessions: Sessions, count: int, now: datetime) -> list[str]:
    """Commit `count` sample events in one transaction; returns their subjects."""
    subjects = [uuid.uuid4().hex for _ in range(count)]
    async with sessions() as session, session.begin():
        for subject in subjects:
            record_event(
                session,
                SampleHappened(
                    occurred_at=now,
                    actor_id=None,
                    subject_type="sample",
                    subject_id=subject,
                    note="hello",
                ),
            )
    return subjects


async def effects(sessions: Sessions, action: str) -> dict[str, int]:
    """How many times each subject's effect was written."""
    async with sessions() as session:
        rows = await session.execute(
            select(AuditEntry.resource_id, func.count())
            .where(AuditEntry.action == action)
            .group_by(AuditEntry.resource_id)
        )
        return {str(subject): int(n) for subject, n in rows.all()}


async def job_states(sessions: Sessions, name: str) -> list[str]:
    async with sessions() as session:
        return list((await session.scalars(select(Job.state).where(Job.name == name))).all())


async def wait_until(
    check: Callable[[], Awaitable[bool]], seconds: float = 30.0, what: str = "a condition"
) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


@asynccontextmanager
async def running_app(settings: Settings, clock: Clock) -> AsyncIterator[FastAPI]:
    """Another app on the test's database, with its lifespan (and so its workers) running."""
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        yield app
