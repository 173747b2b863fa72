"""Jobs: retries with exponential backoff and jitter, the dead state and an admin's retry,
delayed jobs across a restart, and recurring jobs once per due time under two schedulers."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import AuditEntry, Job
from fitcoach.worker.jobs import enqueue_job
from tests.conftest import make_settings
from tests.factories import Factory, assert_error
from tests.worker.helpers import effects, job_states, running_app, wait_until
from tests.worker.sample import JOB_DONE, RECURRING_RAN

BASE_SECONDS = 4.0


async def _enqueue(app: FastAPI, name: str, args: dict[str, object], **kwargs: object) -> uuid.UUID:
    async with app.state.sessionmaker() as session, session.begin():
        return enqueue_job(session, name, args, **kwargs)  # type: ignore[arg-type]


async def _job(app: FastAPI, job_id: uuid.UUID) -> Job:
    async with app.state.sessionmaker() as session:
        job = await session.get(Job, job_id)
    assert job is not None
    return job


async def _run(app: FastAPI, job_id: uuid.UUID) -> Job:
    await app.state.worker.runner.run(job_id, set())
    return await _job(app, job_id)


@pytest.mark.parametrize(
    "settings_overrides", [{"job_retry_base_seconds": BASE_SECONDS}], indirect=True
)
async def test_a_failing_job_backs_off_exponentially_then_dies_and_an_admin_retry_runs_it(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, tmp_path: Path
) -> None:
    marker = tmp_path / "fail"
    marker.touch()
    subject = uuid.uuid4().hex
    job_id = await _enqueue(
        app, "tests.fail_while_marked", {"marker": str(marker), "subject": subject}
    )

    for attempt in (1, 2):
        job = await _run(app, job_id)
        assert (job.state, job.attempts) == ("pending", attempt)
        assert job.last_error == "RuntimeError: the marker file is there"
        # Equal jitter: between half and all of base * 2^(attempt-1).
        ceiling = BASE_SECONDS * 2 ** (attempt - 1)
        delay = (job.due_at - clock.now()).total_seconds()
        assert ceiling / 2 <= delay <= ceiling
        # Not before it is due.
        assert (await _run(app, job_id)).attempts == attempt
        clock.advance(seconds=ceiling)
    job = await _run(app, job_id)
    assert (job.state, job.attempts) == ("dead", 3)

    admin = await factory.admin()
    customer = await factory.customer()
    listed = await client.get("/api/v1/admin/jobs?state=dead", headers=admin.headers)
    assert listed.status_code == 200, listed.text
    body = listed.json()["data"]
    assert [item["id"] for item in body["items"]] == [str(job_id)]
    assert body["items"][0]["lastError"] == "RuntimeError: the marker file is there"
    assert body["pagination"]["total"] == 1
    forbidden = await client.get("/api/v1/admin/jobs?state=dead", headers=customer.headers)
    assert_error(forbidden, 403)
    bad_state = await client.get("/api/v1/admin/jobs?state=lost", headers=admin.headers)
    assert_error(bad_state, 422)

    marker.unlink()
    retried = await client.post(f"/api/v1/admin/jobs/{job_id}/retry", headers=admin.headers)
    assert retried.status_code == 200, retried.text
    # The retry ran right after the admin's request committed.
    job = await _job(app, job_id)
    assert (job.state, job.attempts) == ("succeeded", 1)
    assert await effects(app.state.sessionmaker, JOB_DONE) == {subject: 1}
    async with app.state.sessionmaker() as session:
        audited = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "job.retried"))
        ).one()
    assert (audited.resource_id, str(audited.actor_id)) == (str(job_id), admin.user_id)

    again = await client.post(f"/api/v1/admin/jobs/{job_id}/retry", headers=admin.headers)
    assert_error(again, 409, "Only a dead job can be retried")
    unknown = await client.post(f"/api/v1/admin/jobs/{uuid.uuid4()}/retry", headers=admin.headers)
    assert_error(unknown, 404, "Job not found")
    not_admin = await client.post(f"/api/v1/admin/jobs/{job_id}/retry", headers=customer.headers)
    assert_error(not_admin, 403)


async def test_a_dedupe_key_adds_a_job_once(app: FastAPI, tmp_path: Path) -> None:
    args = {"marker": str(tmp_path / "none"), "subject": "s"}
    for _ in range(2):
        await _enqueue(app, "tests.fail_while_marked", args, dedupe_key="once")
    assert await job_states(app.state.sessionmaker, "tests.fail_while_marked") == ["pending"]


async def test_a_delayed_job_survives_a_restart_and_runs_when_due(
    app: FastAPI, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    subject = uuid.uuid4().hex
    await _enqueue(
        app,
        "tests.slow",
        {"seconds": 0, "subject": subject},
        due_at=clock.now() + timedelta(hours=24),
    )
    settings = make_settings(
        database_url,
        tmp_path,
        worker_embedded=True,
        scheduler_enabled=False,
        worker_poll_seconds=0.05,
    )
    # A process that stops before the job is due, then another that starts later.
    async with running_app(settings, clock):
        pass
    async with running_app(settings, clock) as restarted:
        sessions = restarted.state.sessionmaker
        assert await job_states(sessions, "tests.slow") == ["pending"]
        clock.advance(hours=24)

        async def done() -> bool:
            return await job_states(sessions, "tests.slow") == ["succeeded"]

        await wait_until(done, what="the delayed job")
    assert await effects(app.state.sessionmaker, JOB_DONE) == {subject: 1}


async def test_two_schedulers_run_a_recurring_job_once_per_due_time(
    app: FastAPI, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    settings = make_settings(
        database_url,
        tmp_path,
        worker_embedded=True,
        worker_poll_seconds=0.05,
        scheduler_tick_seconds=0.05,
    )
    async with running_app(settings, clock) as first, running_app(settings, clock) as second:
        sessions = first.state.sessionmaker
        for due_times in (1, 2, 3):
            if due_times > 1:
                clock.advance(minutes=1)

            async def ran(expected: int = due_times) -> bool:
                states = await job_states(sessions, "tests.every_minute")
                return states.count("succeeded") == expected

            await wait_until(ran, what=f"{due_times} recurring runs")
            # Both schedulers tick many times within one due time.
            await asyncio.sleep(0.5)
        assert second.state.worker.loops_running
    runs = await effects(app.state.sessionmaker, RECURRING_RAN)
    assert len(runs) == 3
    assert set(runs.values()) == {1}
    assert len(await job_states(app.state.sessionmaker, "tests.every_minute")) == 3
