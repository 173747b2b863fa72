"""The engine that runs background work, in one of two shapes.

- Embedded (no broker configured; `fitcoach serve` on SQLite): the relay, the dispatcher, the
  scheduler and the job consumers run as tasks in the serving process. A job that falls due in
  a request runs right after that request's commit.
- Scale-out (`FITCOACH_BROKER_URL`, RabbitMQ): `fitcoach serve` only publishes; `fitcoach
  worker` processes, on any number of hosts, run the loops and consume jobs from RabbitMQ
  through taskiq (taskiq-aio-pika).

The jobs table is the record of every job (due time, attempts, dead letters) in both shapes;
the broker carries the ids of jobs that are due, so a job is never lost with a broker or a
process: an id published but never run comes back when its lease runs out."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from croniter import croniter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.config import Settings
from fitcoach.core.clock import Clock
from fitcoach.core.metrics import JOBS_BY_STATE, OUTBOX_OLDEST_SECONDS
from fitcoach.worker import store
from fitcoach.worker.jobs import (
    DEAD,
    PENDING,
    QUEUED,
    RUNNING,
    insert_jobs_once,
    job_spec,
    new_job_values,
    recurring_jobs,
)
from fitcoach.worker.runner import JobRunner
from fitcoach.worker.store import RetryPolicy, WorkerIdentity

if TYPE_CHECKING:
    from fitcoach.worker.broker import RabbitTransport

log = structlog.get_logger("fitcoach.worker")

METRICS_EVERY_SECONDS = 5.0
REQUEUE_EVERY_SECONDS = 1.0
PUBLISH_TIMEOUT_SECONDS = 5.0
QUEUED_LEASES_ON_BROKER = 10
PUBLISH_BATCH = 50


class WorkerEngine:
    """One per process; the app attaches it to its sessionmaker (worker.runtime)."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        state: Any,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.lease = timedelta(seconds=settings.job_lease_seconds)
        self.runner = JobRunner(
            sessionmaker=sessionmaker,
            clock=clock,
            state=state,
            retry=RetryPolicy(settings.job_retry_base_seconds, settings.job_retry_max_seconds),
            lease=self.lease,
        )
        self.rabbit: RabbitTransport | None = None
        if settings.broker_url:
            # Imported only for the scale-out shape: taskiq and aio-pika take seconds to import
            # on a loaded machine, which the embedded shape's start-up need not pay.
            from fitcoach.worker.broker import RabbitTransport

            self.rabbit = RabbitTransport(
                settings.broker_url, settings.broker_queue, self._run_published
            )
        self.running: set[uuid.UUID] = set()
        # Set by `fitcoach worker` before start-up: its broker connection also consumes.
        self.consumes = False
        self.loops_running = False
        self._tasks: list[asyncio.Task[None]] = []
        self._wake: asyncio.Event | None = None
        self._stopping: asyncio.Event | None = None
        self._local: asyncio.Queue[uuid.UUID | None] | None = None
        self._consumers: list[asyncio.Task[None]] = []
        self.identity = WorkerIdentity(
            id=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
            host=socket.gethostname(),
            pid=os.getpid(),
            shape="rabbitmq" if settings.broker_url else "embedded",
            started_at=datetime.now(UTC),
        )

    # -- Runtime (worker.runtime): what a committing transaction calls ------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def relay_now(self) -> None:
        """Wake the relay loop; a process that runs no loops and has no broker relays the
        outbox itself and runs the handlers at once, as `kick` runs a job due now. Best
        effort: what it does not relay waits in the outbox for the next relay."""
        if self._wake is not None:
            self._wake.set()
            return
        if self.rabbit is not None:
            return
        try:
            job_ids = await store.relay_outbox(self.sessionmaker, self.settings.worker_batch_size)
        except Exception as exc:  # the database's failures are many; the events are safe
            log.warning("relay_failed", error=type(exc).__name__)
            return
        for job_id in job_ids:
            await self.runner.run(job_id, self.running)

    async def kick(self, job_id: uuid.UUID) -> None:
        if self.rabbit is not None:
            # Best effort: a job the broker did not take stays pending for the dispatcher.
            try:
                await asyncio.wait_for(self.rabbit.publish([job_id]), PUBLISH_TIMEOUT_SECONDS)
            except Exception as exc:  # the broker's failures are many; the job is safe
                log.warning("job_publish_failed", error=type(exc).__name__)
            return
        await self.runner.run(job_id, self.running)

    # -- Lifecycle ----------------------------------------------------------------------------

    async def start_publisher(self) -> None:
        """Connect to the broker, if there is one, to publish jobs that fall due in requests."""
        if self.rabbit is not None:
            await self.rabbit.start(consume=self.consumes)

    async def start_loops(self, *, consume: bool) -> None:
        """Run the relay, dispatcher, scheduler and heartbeat here, and with `consume` the
        job consumers (in-process, or from RabbitMQ)."""
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.loops_running = True
        # Beat once before anything else, so readiness sees this worker once it has started.
        with contextlib.suppress(Exception):
            await store.beat(self.sessionmaker, self.identity)
        loops: list[Callable[[], Awaitable[None]]] = [self._relay_loop, self._heartbeat_loop]
        if self.settings.scheduler_enabled:
            loops.append(self._scheduler_loop)
        if consume and self.rabbit is not None:
            await self.rabbit.start(consume=True)
            self._consumers.append(asyncio.create_task(self.rabbit.consume(self._concurrency)))
        elif consume:
            self._local = asyncio.Queue()
            self._consumers.extend(
                asyncio.create_task(self._consume_local(self._local))
                for _ in range(self._concurrency)
            )
        self._tasks.extend(asyncio.create_task(self._forever(loop)) for loop in loops)

    @property
    def loops_alive(self) -> bool:
        """Whether this process's loops run: started, and none has ended (they never end but
        by being stopped)."""
        return self.loops_running and all(not task.done() for task in self._tasks)

    @property
    def _concurrency(self) -> int:
        return self.settings.worker_concurrency

    async def stop(self) -> None:
        """Graceful: the loops end after the transaction they are in, the consumers stop taking
        jobs; each gets `worker_stop_seconds` to finish, jobs that did not are handed back, and
        the process says goodbye."""
        if self._stopping is not None:
            self._stopping.set()
        self.wake()
        await self._finish(self._tasks)
        self._tasks.clear()
        if self.rabbit is not None:
            self.rabbit.stop_consuming()
        if self._consumers:
            if self._local is not None:
                # Ids still queued here stay queued in the table; their lease brings them back.
                while not self._local.empty():
                    self._local.get_nowait()
                for _ in self._consumers:
                    self._local.put_nowait(None)
            await self._finish(self._consumers)
            self._consumers.clear()
        if self.loops_running:
            with contextlib.suppress(Exception):
                await store.hand_back(self.sessionmaker, list(self.running))
                await store.forget_worker(self.sessionmaker, self.identity.id)
        self.running.clear()
        self.loops_running = False
        if self.rabbit is not None:
            await self.rabbit.close()

    async def _finish(self, tasks: Sequence[asyncio.Task[None]]) -> None:
        """Wait up to `worker_stop_seconds` for `tasks` to end by themselves, then cancel what
        is left. Cancelling is the last resort: a task cancelled inside a transaction may leave
        its connection to the driver's cleanup (on SQLite, holding the write lock until the
        connection is garbage-collected)."""
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=self.settings.worker_stop_seconds)
        for task in late:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- Loops --------------------------------------------------------------------------------

    @property
    def _stopped(self) -> bool:
        return self._stopping is not None and self._stopping.is_set()

    async def _pause(self, seconds: float) -> None:
        """Sleep `seconds`, or until the engine stops."""
        assert self._stopping is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _forever(self, loop: Callable[[], Awaitable[None]]) -> None:
        """Run `loop` until the engine stops; a failure (the database or the broker away) is
        logged and retried after a pause, never fatal."""
        while not self._stopped:
            try:
                await loop()
            except Exception as exc:
                log.warning("worker_loop_failed", loop=loop.__name__, error=repr(exc))
                await self._pause(min(5.0, self.settings.worker_poll_seconds * 10))

    async def _relay_loop(self) -> None:
        last_requeue = last_metrics = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopped:
            assert self._wake is not None
            self._wake.clear()
            batch = self.settings.worker_batch_size
            while (
                len(await store.relay_outbox(self.sessionmaker, batch)) >= batch
                and not self._stopped
            ):
                pass
            if loop.time() - last_requeue >= REQUEUE_EVERY_SECONDS:
                await store.requeue_abandoned(self.sessionmaker)
                last_requeue = loop.time()
            while (
                (limit := self._room(batch))
                and not self._stopped
                and (
                    await store.hand_out_due_jobs(
                        self.sessionmaker,
                        self.clock.now(),
                        self._publish,
                        limit=limit,
                        lease=self._queued_lease,
                    )
                    >= limit
                )
            ):
                pass
            if loop.time() - last_metrics >= METRICS_EVERY_SECONDS:
                await self._report_backlog()
                last_metrics = loop.time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.worker_poll_seconds)

    def _room(self, batch: int) -> int:
        """How many jobs to hand out now. The in-process queue is kept short, so what waits
        stays pending in the table (where any process may take it) rather than in memory."""
        if self._local is None:
            # A hand-out waits for the broker's confirms inside its transaction: kept small, so
            # a process whose loop is busy running jobs still confirms within the timeout.
            return min(batch, PUBLISH_BATCH)
        return max(0, min(batch, 2 * self._concurrency - self._local.qsize()))

    @property
    def _queued_lease(self) -> timedelta:
        """How long a handed-out job may wait unclaimed before it is handed out again. RabbitMQ
        keeps a published message (and redelivers it if its consumer dies), so a backlog there
        may wait long; the in-process queue dies with its process."""
        return self.lease * QUEUED_LEASES_ON_BROKER if self.rabbit is not None else self.lease

    async def _publish(self, job_ids: Sequence[uuid.UUID]) -> None:
        if self.rabbit is not None:
            await asyncio.wait_for(self.rabbit.publish(job_ids), PUBLISH_TIMEOUT_SECONDS)
        elif self._local is not None:
            for job_id in job_ids:
                self._local.put_nowait(job_id)
        else:
            raise RuntimeError("this process consumes no jobs and has no broker")

    async def _consume_local(self, queue: asyncio.Queue[uuid.UUID | None]) -> None:
        while (job_id := await queue.get()) is not None:
            await self.runner.run(job_id, self.running)

    async def _run_published(self, job_id: uuid.UUID) -> None:
        await self.runner.run(job_id, self.running)

    async def _heartbeat_loop(self) -> None:
        while not self._stopped:
            await store.beat(self.sessionmaker, self.identity)
            await store.renew_leases(self.sessionmaker, list(self.running), self.lease)
            await self._pause(self.settings.job_lease_seconds / 3)

    async def _scheduler_loop(self) -> None:
        while not self._stopped:
            await schedule_recurring(self.sessionmaker, self.clock.now())
            await self._pause(self.settings.scheduler_tick_seconds)

    async def _report_backlog(self) -> None:
        async with self.sessionmaker() as session:
            backlog = await store.backlog(session)
        for state in (PENDING, QUEUED, RUNNING, DEAD):
            JOBS_BY_STATE.labels(state=state).set(backlog.by_state.get(state, 0))
        OUTBOX_OLDEST_SECONDS.set(backlog.oldest_unrelayed_seconds)


async def schedule_recurring(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Add the job of each recurring job's latest due time at or before `now`, once: the due
    time is in the dedupe key, so any number of schedulers add one job between them. A
    scheduler that was down runs a missed job once when it returns, not once per missed time."""
    rows = []
    for recurring in recurring_jobs():
        spec = job_spec(recurring.name)
        assert spec is not None
        due: datetime = croniter(recurring.cron, now).get_prev(datetime)
        rows.append(new_job_values(spec, {}, due, f"recurring:{recurring.name}:{due.isoformat()}"))
    if not rows:
        return 0
    async with sessionmaker() as session, session.begin():
        result = await session.execute(insert_jobs_once(session.get_bind().dialect.name, rows))
    return int(getattr(result, "rowcount", 0) or 0)
