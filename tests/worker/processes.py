"""Real `fitcoach worker` processes on the test's PostgreSQL database and a RabbitMQ queue of
the test's own, which is deleted afterwards."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import anyio

from tests.conftest import TEST_JWT_SECRET
from tests.console import FITCOACH, cli_environment

RABBITMQ_URL = os.environ.get("FITCOACH_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
REPO_ROOT = Path(__file__).resolve().parents[2]
READY_SECONDS = 60.0


@asynccontextmanager
async def rabbit_queue() -> AsyncIterator[str]:
    """A queue name of this test's own; its queues and exchange are deleted afterwards."""
    name = f"fitcoach-test-{uuid.uuid4().hex[:12]}"
    try:
        yield name
    finally:
        connection = await aio_pika.connect(RABBITMQ_URL)
        async with connection:
            channel = await connection.channel()
            for queue in (name, f"{name}.dead_letter"):
                await channel.queue_delete(queue)
            await channel.exchange_delete(name)


def worker_environment(
    workdir: Path, database_url: str, broker_url: str, queue: str, **settings: str
) -> dict[str, str]:
    return cli_environment(
        workdir,
        FITCOACH_DATABASE_URL=database_url,
        FITCOACH_JWT_SECRET=TEST_JWT_SECRET,
        FITCOACH_BROKER_URL=broker_url,
        FITCOACH_BROKER_QUEUE=queue,
        FITCOACH_WORKER_IMPORTS="tests.worker.sample",
        FITCOACH_SCHEDULER_ENABLED="false",
        FITCOACH_READ_CACHE_SECONDS="0",
        FITCOACH_WORKER_POLL_SECONDS="0.1",
        FITCOACH_JOB_LEASE_SECONDS="3",
        FITCOACH_LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO_ROOT),
        **settings,
    )


@dataclass
class WorkerProcess:
    process: asyncio.subprocess.Process
    log: Path

    async def signal(self, signum: int, within: float = 60.0) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signum)
        return await asyncio.wait_for(self.process.wait(), within)


async def start_worker(environment: dict[str, str], log: Path) -> WorkerProcess:
    """A `fitcoach worker`, once it says it is ready."""
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            str(FITCOACH),
            "worker",
            env=environment,
            cwd=log.parent,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=output,
        )
    worker = WorkerProcess(process, log)
    deadline = asyncio.get_running_loop().time() + READY_SECONDS
    while b" ready" not in await anyio.Path(log).read_bytes():
        if process.returncode is not None or asyncio.get_running_loop().time() > deadline:
            await worker.signal(signal.SIGKILL)
            output = await anyio.Path(log).read_text()
            raise AssertionError(f"the worker did not start:\n{output}")
        await asyncio.sleep(0.1)
    return worker


@asynccontextmanager
async def workers(
    environment: dict[str, str], workdir: Path, count: int
) -> AsyncIterator[list[WorkerProcess]]:
    started = [
        await start_worker(environment, workdir / f"worker-{index}.log") for index in range(count)
    ]
    try:
        yield started
    finally:
        for worker in started:
            await worker.signal(signal.SIGKILL)
