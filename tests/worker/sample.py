"""A sample event, handler, jobs and a recurring job for the worker tests; `fitcoach worker`
processes in the tests import it through FITCOACH_WORKER_IMPORTS. Each leaves its effect as an
audit entry, written in the job's own transaction, so a test counts effects."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.worker.events import DomainEvent
from fitcoach.worker.jobs import JobContext, job, recurring
from fitcoach.worker.registry import on_event

HANDLED = "tests.sample_handled"
JOB_DONE = "tests.job_done"
RECURRING_RAN = "tests.recurring_ran"


class SampleHappened(DomainEvent):
    type: ClassVar[str] = "tests.sample_happened"

    note: str


@on_event(SampleHappened, name="tests.note_sample")
async def note_sample(session: AsyncSession, event: SampleHappened) -> None:
    audit_service.record(
        session,
        AuditEvent(
            action=HANDLED,
            resource_type="sample",
            resource_id=event.subject_id,
            details={"note": event.note},
        ),
        event.occurred_at,
    )


def _done(ctx: JobContext, subject: str) -> None:
    audit_service.record(
        ctx.session,
        AuditEvent(action=JOB_DONE, resource_type="sample", resource_id=subject),
        ctx.now,
    )


@job("tests.fail_while_marked", max_attempts=3)
async def fail_while_marked(ctx: JobContext, marker: str, subject: str) -> None:
    if await anyio.Path(marker).exists():
        raise RuntimeError("the marker file is there")
    _done(ctx, subject)


@job("tests.slow")
async def slow(ctx: JobContext, seconds: float, subject: str) -> None:
    await asyncio.sleep(seconds)
    _done(ctx, subject)


@recurring("tests.every_minute", cron="* * * * *")
async def every_minute(ctx: JobContext) -> None:
    audit_service.record(
        ctx.session,
        AuditEvent(
            action=RECURRING_RAN,
            resource_type="job",
            resource_id=ctx.job_id,
        ),
        ctx.now,
    )
