"""Operating the workers: readiness follows the broker and the workers' heartbeats, metrics
show the backlog and each handler's latency and failures, and `fitcoach jobs` lists, retries
and discards jobs."""

from __future__ import annotations

import signal
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from fitcoach.core.clock import FrozenClock
from fitcoach.db.engine import create_engine
from fitcoach.models import AuditEntry, Job
from tests.conftest import make_settings
from tests.console import cli_environment, run_cli, sqlite_url
from tests.health.test_metrics import sample, scrape
from tests.worker.helpers import effects, record_samples, running_app, wait_until
from tests.worker.processes import RABBITMQ_URL, rabbit_queue, start_worker, worker_environment
from tests.worker.sample import HANDLED

WORKING = {"worker_embedded": True, "scheduler_enabled": False, "worker_poll_seconds": 0.05}


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_embedded_workers_make_the_app_ready_with_their_heartbeat(
    app: FastAPI, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    settings = make_settings(database_url, tmp_path, **WORKING)
    async with running_app(settings, clock) as working, _client(working) as client:

        async def ready() -> bool:
            return (await client.get("/api/v1/health/ready")).status_code == 200

        await wait_until(ready, what="the first heartbeat")
        body = (await client.get("/api/v1/health/ready")).json()["data"]
        assert body["dependencies"]["workers"]["status"] == "up"
        assert "broker" not in body["dependencies"]


async def test_metrics_show_the_backlog_and_each_handlers_latency(
    app: FastAPI, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    settings = make_settings(database_url, tmp_path, **WORKING)
    async with running_app(settings, clock) as working, _client(working) as client:
        label = {"job": "event:tests.note_sample", "outcome": "succeeded"}
        before = sample(await scrape(client), "fitcoach_job_duration_seconds_count", **label)
        subjects = await record_samples(working.state.sessionmaker, 5, clock.now())
        working.state.worker.wake()

        async def handled() -> bool:
            return len(await effects(working.state.sessionmaker, HANDLED)) == len(subjects)

        await wait_until(handled, what="the events handled")
        metrics = await scrape(client)
    assert sample(metrics, "fitcoach_job_duration_seconds_count", **label) == before + 5
    assert "fitcoach_jobs{" in metrics
    assert "fitcoach_outbox_oldest_unrelayed_seconds " in metrics


@pytest.mark.postgres_only
async def test_readiness_needs_a_worker_heartbeat_and_the_broker(
    app: FastAPI, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    async with rabbit_queue() as queue:
        settings = make_settings(
            database_url, tmp_path, broker_url=RABBITMQ_URL, broker_queue=queue
        )
        async with running_app(settings, clock) as serving, _client(serving) as client:
            alone = await client.get("/api/v1/health/ready")
            assert alone.status_code == 503
            dependencies = alone.json()["data"]["dependencies"]
            assert dependencies["broker"]["status"] == "up"
            assert dependencies["workers"] == {"status": "down", "error": "workers: NoLiveWorker"}

            environment = worker_environment(tmp_path, database_url, RABBITMQ_URL, queue)
            worker = await start_worker(environment, tmp_path / "worker.log")
            try:
                ready = await client.get("/api/v1/health/ready")
                assert ready.status_code == 200, ready.text
            finally:
                await worker.signal(signal.SIGTERM)
            # A worker stopped gracefully says goodbye: no heartbeat is left to trust.
            assert (await client.get("/api/v1/health/ready")).status_code == 503


async def _add_job(workdir: Path, state: str) -> uuid.UUID:
    engine = create_engine(make_settings(sqlite_url(workdir), workdir / "data"))
    job_id = uuid.uuid4()
    now = datetime.now(UTC)
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            session.add(
                Job(
                    id=job_id,
                    name="tests.slow",
                    args={"seconds": 0, "subject": "cli"},
                    state=state,
                    attempts=3,
                    max_attempts=3,
                    due_at=now,
                    last_error="RuntimeError: gave up",
                    created_at=now,
                )
            )
    finally:
        await engine.dispose()
    return job_id


async def _audit_actions(workdir: Path) -> list[str]:
    engine = create_engine(make_settings(sqlite_url(workdir), workdir / "data"))
    try:
        async with async_sessionmaker(engine)() as session:
            return sorted((await session.scalars(select(AuditEntry.action))).all())
    finally:
        await engine.dispose()


async def test_the_jobs_command_lists_retries_and_discards(tmp_path: Path) -> None:
    environment = cli_environment(tmp_path)
    assert (await run_cli(environment, tmp_path, "migrate")).exit_code == 0
    dead = await _add_job(tmp_path, "dead")
    other = await _add_job(tmp_path, "dead")

    listed = await run_cli(environment, tmp_path, "jobs", "list", "--state", "dead")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.startswith("2 dead job(s)")
    assert str(dead) in listed.stdout
    assert "RuntimeError: gave up" in listed.stdout

    retried = await run_cli(environment, tmp_path, "jobs", "retry", str(dead))
    assert retried.exit_code == 0, retried.output
    pending = await run_cli(environment, tmp_path, "jobs", "list", "--state", "pending")
    assert str(dead) in pending.stdout
    discarded = await run_cli(environment, tmp_path, "jobs", "discard", str(other))
    assert discarded.exit_code == 0, discarded.output
    assert (await run_cli(environment, tmp_path, "jobs", "list")).stdout.startswith("0 dead job(s)")
    assert await _audit_actions(tmp_path) == ["job.discarded", "job.retried"]

    again = await run_cli(environment, tmp_path, "jobs", "retry", str(dead))
    assert (again.exit_code, again.stderr.strip()) == (
        2,
        "fitcoach jobs: Only a dead job can be retried",
    )
    unknown = await run_cli(environment, tmp_path, "jobs", "discard", str(uuid.uuid4()))
    assert (unknown.exit_code, unknown.stderr.strip()) == (2, "fitcoach jobs: Job not found")
