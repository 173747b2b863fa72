"""The scale-out transport: taskiq on RabbitMQ (taskiq-aio-pika). Messages carry job ids;
publishing waits for RabbitMQ's confirm, and a message is acknowledged only after its job ran,
so a consumer that dies mid-job leaves the message for another."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import structlog
from taskiq import AsyncTaskiqDecoratedTask
from taskiq.acks import AcknowledgeType
from taskiq.receiver import Receiver
from taskiq_aio_pika import AioPikaBroker
from taskiq_aio_pika.exchange import Exchange
from taskiq_aio_pika.queue import Queue, QueueType

log = structlog.get_logger("fitcoach.worker")
RECONSUME_SECONDS = 1.0
RunJob = Callable[[uuid.UUID], Awaitable[None]]
TASK_NAME = "fitcoach.run_job"


class RabbitTransport:
    def __init__(self, url: str, queue: str, run_job: RunJob) -> None:
        self._run_job = run_job
        self.broker = AioPikaBroker(
            url=url,
            exchange=Exchange(name=queue),
            task_queues=[Queue(name=queue, type=QueueType.QUORUM)],
            # Unused by us (failed jobs are retried and dead-lettered in the jobs table), but
            # declared by taskiq: named after our queue rather than shared.
            dead_letter_queue=Queue(name=f"{queue}.dead_letter", type=QueueType.QUORUM),
        )

        async def run(job_id: str) -> None:
            await self._run_job(uuid.UUID(job_id))

        self._task: AsyncTaskiqDecoratedTask[[str], Coroutine[Any, Any, None]] = (
            self.broker.register_task(run, task_name=TASK_NAME)
        )
        self._started = False
        self._finish = asyncio.Event()

    async def start(self, *, consume: bool) -> None:
        if self._started:
            return
        self.broker.is_worker_process = consume
        await self.broker.startup()
        self._started = True

    async def publish(self, job_ids: Sequence[uuid.UUID]) -> None:
        await asyncio.gather(*(self._task.kiq(str(job_id)) for job_id in job_ids))

    async def consume(self, concurrency: int) -> None:
        """Consume until `stop_consuming`. taskiq's receiver ends when the connection to
        RabbitMQ drops; it is started again until the robust connection is back."""
        while not self._finish.is_set():
            receiver = Receiver(
                self.broker,
                max_async_tasks=concurrency,
                run_startup=False,
                ack_type=AcknowledgeType.WHEN_EXECUTED,
                propagate_exceptions=False,
            )
            try:
                await receiver.listen(self._finish)
            except Exception as exc:  # the broker's failures are many; retrying is the answer
                log.warning("broker_consumer_failed", error=repr(exc))
            if not self._finish.is_set():
                await asyncio.sleep(RECONSUME_SECONDS)

    def stop_consuming(self) -> None:
        """Stop taking messages; `consume` returns once the running jobs are done."""
        self._finish.set()

    async def ping(self) -> bool:
        connection = self.broker.write_conn
        return connection is not None and not connection.is_closed

    async def close(self) -> None:
        if self._started:
            with contextlib.suppress(Exception):
                await self.broker.shutdown()
            self._started = False
