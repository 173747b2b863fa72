"""The database side of background work: relaying the outbox into jobs, handing due jobs out,
claiming, finishing and failing them, leases, heartbeats, and the listings operators use.

Two clocks: `now` is the app's clock (when a job falls due; frozen in tests), `wall` is the
machine's (leases and heartbeats, which measure whether a process is alive)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.models import Job, OutboxEvent, WorkerHeartbeat
from fitcoach.worker.jobs import (
    DEAD,
    DISCARDED,
    PENDING,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    insert_jobs_once,
    job_spec,
    new_job_values,
)
from fitcoach.worker.registry import subscriptions_for

EVENT_JOB = "worker.event"
ERROR_LENGTH = 2_000
Publish = Callable[[Sequence[uuid.UUID]], Awaitable[None]]


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float
    max_seconds: float

    def delay(self, attempt: int) -> timedelta:
        """Exponential in the attempt, capped, with "equal jitter": half fixed, half random,
        so jobs that failed together do not all return together."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(attempt - 1, 0))
        return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311


async def relay_outbox(
    sessionmaker: async_sessionmaker[AsyncSession], limit: int
) -> list[uuid.UUID]:
    """Turn up to `limit` unrelayed events into one job per subscribed handler, in one
    transaction; returns the new jobs' ids. Relays running at once take disjoint rows
    (SKIP LOCKED on PostgreSQL; SQLite has one writer at a time)."""
    spec = job_spec(EVENT_JOB)
    assert spec is not None, "worker.runner registers the event job"
    async with sessionmaker() as session, session.begin():
        rows = (
            await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.relayed_at.is_(None))
                .order_by(OutboxEvent.recorded_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not rows:
            return []
        now = wall_clock()
        reached = await subscriptions_for(session, {row.type for row in rows})
        jobs = [
            new_job_values(
                spec,
                {"handler": sub.name, "event_id": str(row.id)},
                row.occurred_at,
                f"event:{sub.name}:{row.id}",
            )
            for row in rows
            for sub in reached[row.type]
        ]
        if jobs:
            await session.execute(insert_jobs_once(_dialect(session), jobs))
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_([row.id for row in rows]))
            .values(relayed_at=now)
        )
    return [job["id"] for job in jobs]


async def hand_out_due_jobs(
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    publish: Publish,
    *,
    limit: int,
    lease: timedelta,
) -> int:
    """Publish up to `limit` due jobs and mark them queued. Publishing happens inside the
    transaction: if the broker refuses, the rollback leaves them pending for the next try."""
    async with sessionmaker() as session, session.begin():
        ids = list(
            (
                await session.scalars(
                    select(Job.id)
                    .where(Job.state == PENDING, Job.due_at <= now)
                    .order_by(Job.due_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
        )
        if not ids:
            return 0
        await publish(ids)
        await session.execute(
            update(Job)
            .where(Job.id.in_(ids), Job.state == PENDING)
            .values(state=QUEUED, lease_until=wall_clock() + lease)
        )
    return len(ids)


async def requeue_abandoned(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Jobs whose lease ran out (their worker died, or their message was lost) go back to
    pending, to be handed out again."""
    async with sessionmaker() as session, session.begin():
        result = await session.execute(
            update(Job)
            .where(Job.state.in_([QUEUED, RUNNING]), Job.lease_until < wall_clock())
            .values(state=PENDING, lease_until=None)
        )
    return int(getattr(result, "rowcount", 0) or 0)


async def claim(
    sessionmaker: async_sessionmaker[AsyncSession],
    job_id: uuid.UUID,
    now: datetime,
    lease: timedelta,
) -> Job | None:
    """Take `job_id` to run it, if it is due and nobody holds it; counts the attempt."""
    async with sessionmaker() as session, session.begin():
        claimed: Job | None = await session.scalar(
            update(Job)
            .where(Job.id == job_id, Job.state.in_([PENDING, QUEUED]), Job.due_at <= now)
            .values(state=RUNNING, attempts=Job.attempts + 1, lease_until=wall_clock() + lease)
            .returning(Job)
        )
        return claimed


async def mark_succeeded(session: AsyncSession, job_id: uuid.UUID) -> None:
    """In the job's own transaction, so its effect and its success commit together."""
    await session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=SUCCEEDED, lease_until=None, last_error=None, finished_at=wall_clock())
    )


async def mark_failed(
    sessionmaker: async_sessionmaker[AsyncSession],
    job: Job,
    error: str,
    *,
    retry_at: datetime | None,
) -> None:
    """Back to pending until `retry_at`, or dead when there is none."""
    values: dict[str, Any] = {"lease_until": None, "last_error": error[:ERROR_LENGTH]}
    if retry_at is None:
        values.update(state=DEAD, finished_at=wall_clock())
    else:
        values.update(state=PENDING, due_at=retry_at)
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Job).where(Job.id == job.id, Job.state == RUNNING).values(**values)
        )


async def hand_back(
    sessionmaker: async_sessionmaker[AsyncSession], job_ids: Sequence[uuid.UUID]
) -> None:
    """Jobs a stopping worker did not finish: pending again, without counting the attempt."""
    if not job_ids:
        return
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Job)
            .where(Job.id.in_(job_ids), Job.state == RUNNING)
            .values(state=PENDING, lease_until=None, attempts=Job.attempts - 1)
        )


async def renew_leases(
    sessionmaker: async_sessionmaker[AsyncSession],
    job_ids: Sequence[uuid.UUID],
    lease: timedelta,
) -> None:
    if not job_ids:
        return
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Job)
            .where(Job.id.in_(job_ids), Job.state == RUNNING)
            .values(lease_until=wall_clock() + lease)
        )


@dataclass(frozen=True)
class WorkerIdentity:
    id: str
    host: str
    pid: int
    shape: str
    started_at: datetime


async def beat(sessionmaker: async_sessionmaker[AsyncSession], worker: WorkerIdentity) -> None:
    async with sessionmaker() as session, session.begin():
        row = await session.get(WorkerHeartbeat, worker.id)
        if row is None:
            session.add(
                WorkerHeartbeat(
                    id=worker.id,
                    host=worker.host,
                    pid=worker.pid,
                    shape=worker.shape,
                    started_at=worker.started_at,
                    seen_at=wall_clock(),
                )
            )
        else:
            row.seen_at = wall_clock()


async def forget_worker(sessionmaker: async_sessionmaker[AsyncSession], worker_id: str) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.id == worker_id))


async def live_workers(session: AsyncSession, within: timedelta) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(WorkerHeartbeat)
            .where(WorkerHeartbeat.seen_at >= wall_clock() - within)
        )
        or 0
    )


@dataclass(frozen=True)
class Backlog:
    by_state: dict[str, int]
    oldest_unrelayed_seconds: float


async def backlog(session: AsyncSession) -> Backlog:
    counts = await session.execute(
        select(Job.state, func.count())
        .where(Job.state.in_([PENDING, QUEUED, RUNNING, DEAD]))
        .group_by(Job.state)
    )
    oldest = await session.scalar(
        select(func.min(OutboxEvent.recorded_at)).where(OutboxEvent.relayed_at.is_(None))
    )
    age = (wall_clock() - _utc(oldest)).total_seconds() if oldest is not None else 0.0
    return Backlog(
        by_state={state: int(n) for state, n in counts.all()}, oldest_unrelayed_seconds=age
    )


# The states an operator asks for. "scheduled" is pending work not yet due; "pending" is due
# work not yet finished by a worker.
LISTABLE_STATES = ("pending", "scheduled", "running", "succeeded", "dead", "discarded")


def jobs_in_state(state: str, now: datetime) -> Select[Job]:
    """The SELECT of jobs in listable `state`, in the order an operator reads them."""
    statement = select(Job)
    if state == "scheduled":
        return statement.where(Job.state == PENDING, Job.due_at > now).order_by(Job.due_at)
    if state == "pending":
        return statement.where(
            or_(Job.state == QUEUED, (Job.state == PENDING) & (Job.due_at <= now))
        ).order_by(Job.due_at)
    return statement.where(Job.state == state).order_by(Job.created_at.desc(), Job.id)


async def retry_dead(session: AsyncSession, job_id: uuid.UUID, now: datetime) -> bool:
    """A dead job, pending again with a fresh set of attempts; False if it is not dead."""
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == DEAD)
        .values(state=PENDING, attempts=0, due_at=now, finished_at=None)
    )
    return bool(getattr(result, "rowcount", 0))


async def discard(session: AsyncSession, job_id: uuid.UUID) -> bool:
    """A job no one will run: kept for the record, never handed out again. Only a job that is
    not running or finished can be discarded."""
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state.in_([PENDING, QUEUED, DEAD]))
        .values(state=DISCARDED, finished_at=wall_clock(), lease_until=None)
    )
    return bool(getattr(result, "rowcount", 0))


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
