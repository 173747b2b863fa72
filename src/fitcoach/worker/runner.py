"""Running one job: claim it, run its function in its own transaction together with the mark
of its success, and on failure schedule the retry (exponential backoff with jitter) or, once
the attempts are spent, the dead state. Also the built-in job that runs an event handler
exactly once in effect."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.core.clock import Clock
from fitcoach.core.metrics import JOB_DURATION, JOB_FAILURES
from fitcoach.db.session import run_after_commit
from fitcoach.models import Job, OutboxEvent, ProcessedEvent
from fitcoach.worker import store
from fitcoach.worker.events import UnknownEventType, event_of, handling_at_depth
from fitcoach.worker.jobs import JobContext, PermanentJobError, job, job_spec
from fitcoach.worker.registry import subscription
from fitcoach.worker.store import EVENT_JOB, RetryPolicy

log = structlog.get_logger("fitcoach.worker")


@dataclass(frozen=True)
class JobRunner:
    """Everything running a job needs; one per process."""

    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    state: Any
    retry: RetryPolicy
    lease: timedelta

    async def run(self, job_id: uuid.UUID, running: set[uuid.UUID]) -> None:
        """Run `job_id` if it is due and free. `running` holds the ids this process is
        running, whose leases the heartbeat renews and a graceful stop hands back."""
        claimed = await store.claim(self.sessionmaker, job_id, self.clock.now(), self.lease)
        if claimed is None:
            return
        running.add(job_id)
        label = _metric_label(claimed)
        started = time.perf_counter()
        try:
            await self._execute(claimed)
        except Exception as exc:
            JOB_DURATION.labels(job=label, outcome="failed").observe(time.perf_counter() - started)
            await self._record_failure(claimed, label, exc)
        else:
            JOB_DURATION.labels(job=label, outcome="succeeded").observe(
                time.perf_counter() - started
            )
        # Removed only once the outcome is written: a cancelled run stays to be handed back.
        running.discard(job_id)

    async def _execute(self, claimed: Job) -> None:
        spec = job_spec(claimed.name)
        if spec is None:
            raise PermanentJobError(f"no job is registered as {claimed.name!r} here")
        async with self.sessionmaker() as session:
            async with session.begin():
                context = JobContext(
                    session=session,
                    now=self.clock.now(),
                    job_id=claimed.id,
                    attempt=claimed.attempts,
                    state=self.state,
                )
                await spec.function(context, **claimed.args)
                await store.mark_succeeded(session, claimed.id)
            await run_after_commit(session)

    async def _record_failure(self, claimed: Job, label: str, exc: Exception) -> None:
        permanent = isinstance(exc, PermanentJobError)
        retry_at = (
            None
            if permanent or claimed.attempts >= claimed.max_attempts
            else self.clock.now() + self.retry.delay(claimed.attempts)
        )
        JOB_FAILURES.labels(job=label, then="dead" if retry_at is None else "retry").inc()
        log.warning(
            "job_failed",
            job=claimed.name,
            job_id=str(claimed.id),
            attempt=claimed.attempts,
            error=type(exc).__name__,
            dead=retry_at is None,
        )
        error = f"{type(exc).__name__}: {exc}"
        await store.mark_failed(self.sessionmaker, claimed, error, retry_at=retry_at)


def _metric_label(claimed: Job) -> str:
    if claimed.name == EVENT_JOB:
        return f"event:{claimed.args.get('handler')}"
    return claimed.name


@job(EVENT_JOB)
async def handle_event(ctx: JobContext, handler: str, event_id: str) -> None:
    """Run `handler` on the event, unless it already has: the processed-events row commits
    with the handler's effect, so a second delivery finds it and does nothing."""
    sub = subscription(handler)
    if sub is None:
        raise PermanentJobError(f"no handler is registered as {handler!r} here")
    # The event and whether this handler has seen it, in one round trip.
    found = (
        await ctx.session.execute(
            select(OutboxEvent, ProcessedEvent.event_id)
            .outerjoin(
                ProcessedEvent,
                (ProcessedEvent.event_id == OutboxEvent.id) & (ProcessedEvent.handler == handler),
            )
            .where(OutboxEvent.id == uuid.UUID(event_id))
        )
    ).first()
    if found is None:
        raise PermanentJobError(f"event {event_id} is not in the outbox")
    row, seen = found
    if seen is not None:
        return
    try:
        event = event_of(row)
    except UnknownEventType as exc:
        raise PermanentJobError(str(exc)) from exc
    ctx.session.add(ProcessedEvent(handler=handler, event_id=row.id, processed_at=ctx.now))
    handling_at_depth(ctx.session, row.depth)
    await sub.handler(ctx.session, event)
