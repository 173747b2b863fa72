"""Jobs: `@job(name)` registers an async function run in the background, `enqueue_job` asks
for it inside the caller's transaction (now or at `due_at`, at most once per `dedupe_key`), and
`@recurring(name, cron=...)` runs one on a cron schedule, once per due time whichever scheduler
claims it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from croniter import croniter
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from fitcoach.models import Job
from fitcoach.worker.runtime import kick_after_commit, runtime_of

DEFAULT_MAX_ATTEMPTS = 8
PENDING = "pending"
QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
DEAD = "dead"
DISCARDED = "discarded"
_PENDING_JOBS_KEY = "fitcoach.worker.pending_jobs"


@dataclass(frozen=True)
class JobContext:
    """What a job function gets besides its arguments. `session` is the job's own
    transaction, committed together with the job's success and rolled back if it raises;
    `state` is the app's state (settings, providers)."""

    session: AsyncSession
    now: datetime
    job_id: uuid.UUID
    attempt: int
    state: Any


JobFunction = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: JobFunction
    max_attempts: int


@dataclass(frozen=True)
class RecurringSpec:
    name: str
    cron: str


class PermanentJobError(Exception):
    """Raised by a job that no retry can help (a refused address, a missing record): the job
    goes to the dead state at once."""


_JOBS: dict[str, JobSpec] = {}
_RECURRING: dict[str, RecurringSpec] = {}


def job(
    name: str, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> Callable[[JobFunction], JobFunction]:
    """Register `async def fn(ctx: JobContext, **args)` under `name`. Its arguments are
    JSON values. It may run more than once (at-least-once): make its effect idempotent."""

    def register(function: JobFunction) -> JobFunction:
        known = _JOBS.get(name)
        if known is not None and known.function.__qualname__ != function.__qualname__:
            raise ValueError(f"two jobs share the name {name!r}")
        _JOBS[name] = JobSpec(name=name, function=function, max_attempts=max_attempts)
        return function

    return register


def recurring(
    name: str, *, cron: str, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> Callable[[JobFunction], JobFunction]:
    """Register `async def fn(ctx: JobContext)` to run at each time `cron` (UTC, five fields)
    names, once per due time across every scheduler."""
    if not croniter.is_valid(cron):
        raise ValueError(f"invalid cron expression {cron!r} for {name!r}")

    def register(function: JobFunction) -> JobFunction:
        _RECURRING[name] = RecurringSpec(name=name, cron=cron)
        return job(name, max_attempts=max_attempts)(function)

    return register


def job_spec(name: str) -> JobSpec | None:
    return _JOBS.get(name)


def recurring_jobs() -> list[RecurringSpec]:
    return list(_RECURRING.values())


def enqueue_job(
    session: AsyncSession,
    name: str,
    args: Mapping[str, Any],
    *,
    due_at: datetime | None = None,
    dedupe_key: str | None = None,
) -> uuid.UUID:
    """Ask for job `name` with `args`, at `due_at` (default: now), in the caller's
    transaction: written when it commits, never if it rolls back. A `dedupe_key` already used
    by any job makes this a no-op. Returns the new job's id."""
    spec = _JOBS.get(name)
    if spec is None:
        raise LookupError(f"no job is registered as {name!r}")
    runtime = runtime_of(session)
    now = runtime.now() if runtime is not None else datetime.now(UTC)
    values = new_job_values(spec, dict(args), due_at or now, dedupe_key)
    session.info.setdefault(_PENDING_JOBS_KEY, []).append(values)
    if due_at is None or due_at <= now:
        kick_after_commit(session, values["id"])
    return uuid.UUID(str(values["id"]))


def new_job_values(
    spec: JobSpec, args: dict[str, Any], due_at: datetime, dedupe_key: str | None
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "name": spec.name,
        "args": args,
        "state": PENDING,
        "attempts": 0,
        "max_attempts": spec.max_attempts,
        "due_at": due_at,
        "dedupe_key": dedupe_key,
        "created_at": datetime.now(UTC),
    }


def insert_jobs_once(dialect: str, rows: list[dict[str, Any]]) -> Any:
    """INSERT of `rows` that skips any whose dedupe key is taken."""
    if dialect == "postgresql":
        return postgresql_insert(Job).values(rows).on_conflict_do_nothing()
    return sqlite_insert(Job).values(rows).on_conflict_do_nothing()


@event.listens_for(Session, "before_commit")
def _write_enqueued_jobs(session: Session) -> None:
    # Written at commit rather than added to the session: a taken dedupe key then skips the
    # job instead of failing the caller's whole transaction.
    rows: list[dict[str, Any]] | None = session.info.pop(_PENDING_JOBS_KEY, None)
    if rows:
        session.execute(insert_jobs_once(session.get_bind().dialect.name, rows))


@event.listens_for(Session, "after_rollback")
def _drop_enqueued_jobs(session: Session) -> None:
    session.info.pop(_PENDING_JOBS_KEY, None)
