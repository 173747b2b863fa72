"""The scale-out shape: `fitcoach worker` processes on PostgreSQL and RabbitMQ. Events are
each handled once in effect by two workers; a killed worker's job is redone once; a stopped
worker finishes its job; a broker outage loses nothing."""

from __future__ import annotations

import signal
import uuid
from pathlib import Path

import anyio
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import Job, ProcessedEvent
from fitcoach.worker.jobs import enqueue_job
from tests.tcp_proxy import TcpProxy
from tests.worker.helpers import effects, record_samples, wait_until
from tests.worker.processes import (
    RABBITMQ_URL,
    rabbit_queue,
    start_worker,
    worker_environment,
    workers,
)
from tests.worker.sample import HANDLED, JOB_DONE

pytestmark = pytest.mark.postgres_only


async def _slow_job(app: FastAPI, seconds: float) -> tuple[uuid.UUID, str]:
    subject = uuid.uuid4().hex
    async with app.state.sessionmaker() as session, session.begin():
        job_id = enqueue_job(session, "tests.slow", {"seconds": seconds, "subject": subject})
    return job_id, subject


async def _job(app: FastAPI, job_id: uuid.UUID) -> Job:
    async with app.state.sessionmaker() as session:
        job = await session.get(Job, job_id)
    assert job is not None
    return job


async def test_two_workers_handle_a_thousand_events_once_each(
    app: FastAPI, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    sessions = app.state.sessionmaker
    # Half committed before any worker runs, as if the writer died before a relay.
    subjects = []
    for _ in range(5):
        subjects += await record_samples(sessions, 100, clock.now())
    async with rabbit_queue() as queue:
        environment = worker_environment(tmp_path, database_url, RABBITMQ_URL, queue)
        async with workers(environment, tmp_path, 2):
            for _ in range(5):
                subjects += await record_samples(sessions, 100, clock.now())

            async def all_handled() -> bool:
                return len(await effects(sessions, HANDLED)) == len(subjects)

            await wait_until(all_handled, seconds=120, what="1,000 events handled")
    assert await effects(sessions, HANDLED) == dict.fromkeys(subjects, 1)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1000


async def test_a_worker_killed_mid_job_has_the_job_redone_once(
    app: FastAPI, database_url: str, tmp_path: Path
) -> None:
    async with rabbit_queue() as queue:
        environment = worker_environment(tmp_path, database_url, RABBITMQ_URL, queue)
        first = await start_worker(environment, tmp_path / "first.log")
        job_id, subject = await _slow_job(app, 2.0)

        async def running() -> bool:
            return (await _job(app, job_id)).state == "running"

        await wait_until(running, what="the job to start")
        assert await first.signal(signal.SIGKILL) == -signal.SIGKILL
        async with workers(environment, tmp_path, 1):

            async def succeeded() -> bool:
                return (await _job(app, job_id)).state == "succeeded"

            await wait_until(succeeded, seconds=60, what="the job redone")
    job = await _job(app, job_id)
    assert job.attempts == 2
    assert await effects(app.state.sessionmaker, JOB_DONE) == {subject: 1}


async def test_sigterm_lets_the_running_job_finish(
    app: FastAPI, database_url: str, tmp_path: Path
) -> None:
    async with rabbit_queue() as queue:
        environment = worker_environment(tmp_path, database_url, RABBITMQ_URL, queue)
        worker = await start_worker(environment, tmp_path / "worker.log")
        job_id, subject = await _slow_job(app, 2.0)

        async def running() -> bool:
            return (await _job(app, job_id)).state == "running"

        await wait_until(running, what="the job to start")
        exit_code = await worker.signal(signal.SIGTERM)
        assert exit_code == 0, await anyio.Path(worker.log).read_text()
    job = await _job(app, job_id)
    assert (job.state, job.attempts) == ("succeeded", 1)
    assert await effects(app.state.sessionmaker, JOB_DONE) == {subject: 1}


async def test_events_written_while_the_broker_is_away_are_all_delivered(
    app: FastAPI, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    proxy = TcpProxy("127.0.0.1", 5672)
    await proxy.start()
    sessions = app.state.sessionmaker
    try:
        async with rabbit_queue() as queue:
            broker_url = f"amqp://guest:guest@127.0.0.1:{proxy.port}/"
            environment = worker_environment(tmp_path, database_url, broker_url, queue)
            async with workers(environment, tmp_path, 1):
                await proxy.cut()
                subjects = await record_samples(sessions, 100, clock.now())

                async def relayed() -> bool:
                    async with sessions() as session:
                        count = await session.scalar(
                            select(func.count()).select_from(Job).where(Job.state == "pending")
                        )
                    return count == len(subjects)

                # Relayed into jobs, which wait: nothing can reach the broker.
                await wait_until(relayed, what="the events relayed into waiting jobs")
                assert await effects(sessions, HANDLED) == {}
                await proxy.start()

                async def all_handled() -> bool:
                    return len(await effects(sessions, HANDLED)) == len(subjects)

                await wait_until(all_handled, seconds=120, what="every event after the outage")
    finally:
        await proxy.cut()
    assert await effects(sessions, HANDLED) == dict.fromkeys(subjects, 1)
