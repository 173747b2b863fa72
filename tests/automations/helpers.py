"""Waiting for the embedded workers' automations handler, and redelivering it an event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import delete, func, select

from fitcoach.models import Job, ProcessedEvent
from fitcoach.worker.jobs import SUCCEEDED, job_spec, new_job_values
from fitcoach.worker.store import EVENT_JOB
from tests.worker.helpers import wait_until

HANDLER = "automations.run"


async def count(app: FastAPI, model: Any, *where: Any) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def handled(app: FastAPI, event_id: uuid.UUID) -> None:
    async def done() -> bool:
        found = await count(
            app,
            ProcessedEvent,
            ProcessedEvent.handler == HANDLER,
            ProcessedEvent.event_id == event_id,
        )
        return found == 1

    await wait_until(done, what="the automations handler to see the event")


async def redeliver(app: FastAPI, event_id: uuid.UUID, now: datetime) -> None:
    """Hand the handler `event_id` again as if its processed-events row was lost (only the run
    row can stop it then), and wait until that job succeeded."""
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(delete(ProcessedEvent).where(ProcessedEvent.event_id == event_id))
        spec = job_spec(EVENT_JOB)
        assert spec is not None
        values = new_job_values(
            spec, {"handler": HANDLER, "event_id": str(event_id)}, now, "redelivery"
        )
        session.add(Job(**values))
    app.state.worker.wake()

    async def redelivered() -> bool:
        return await count(app, Job, Job.dedupe_key == "redelivery", Job.state == SUCCEEDED) == 1

    await wait_until(redelivered, what="the redelivered job")
