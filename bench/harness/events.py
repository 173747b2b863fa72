"""The events scenario (issue 17): PostgreSQL, RabbitMQ and two `fitcoach worker` processes.
Events are a real product event, `SubscriptionGranted`, recorded with fitcoach's own
`record_event` (the outbox row an admin's grant writes) for the seeded customers, and handled by
its real handler (the customer's notification: inbox row, deliveries, the live stream's Redis
publish). The API request around the event is not what this measures, so the harness records
the events itself, in small transactions as requests would.

Two phases:
- capacity: a backlog of events committed as fast as the producer can, all handled; events/s is
  the count over the time from the first commit to the last handler's commit;
- steady: events committed at a steady rate (500/s) for a while; the lag of each event is the
  time from its recording (just before its transaction commits) to its handler job's commit.
Both times are read from the database: the outbox row's `recorded_at` and the handler job's
`finished_at`, both wall-clock on this machine."""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aio_pika
import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from fitcoach.subscriptions.events import SUBJECT_TYPE, SubscriptionGranted
from fitcoach.worker.events import record_event
from harness.config import VENV_BIN, Targets
from harness.proc import cpu_seconds

KEY = "events"
TITLE = "events: commit to handler, 2 workers, RabbitMQ"
WORKERS = 2
READY_TIMEOUT_S = 120
STOP_TIMEOUT_S = 30
EVENTS_PER_TRANSACTION = 10  # the steady phase's: a few grants per request at most
BURST_PER_TRANSACTION = 100  # the capacity phase's: the producer must outrun the workers
BUDGET_EVENTS_PER_S = 1_000
BUDGET_LAG_P99_S = 1.0
# The dedupe key of the handler job each of the scenario's events gets (worker.store).
JOB_KEY_PREFIX = "event:subscriptions.notify_granted:"


@dataclass(frozen=True)
class EventShape:
    backlog: int  # events of the capacity phase
    steady_rate: int  # events/s of the steady phase
    steady_s: int

    @staticmethod
    def of(*, quick: bool) -> EventShape:
        if quick:
            return EventShape(backlog=5_000, steady_rate=500, steady_s=5)
        return EventShape(backlog=20_000, steady_rate=500, steady_s=20)


@dataclass
class EventResult:
    status: str = "ok"
    shape: EventShape | None = None
    capacity_per_s: float | None = None
    capacity_events: int = 0
    worker_cpu_ms_per_event: float | None = None
    steady_sent_per_s: float | None = None
    lag_ms: dict[str, float] = field(default_factory=dict)  # p50, p90, p99, max
    worker_env: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "title": TITLE,
            "status": self.status,
            "shape": vars(self.shape) if self.shape else None,
            "capacity_per_s": self.capacity_per_s,
            "capacity_events": self.capacity_events,
            "worker_cpu_ms_per_event": self.worker_cpu_ms_per_event,
            "steady_sent_per_s": self.steady_sent_per_s,
            "lag_ms": self.lag_ms,
            "worker_env": self.worker_env,
        }


class WorkerProcess:
    """One `fitcoach worker`, in a session of its own, ready once it says so on stderr."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own venv's entry point
                [str(VENV_BIN / "fitcoach"), "worker"],
                env=self.env,
                cwd=self.log_path.parent,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"fitcoach worker exited at start-up:\n{self.log_tail()}")
            if b" ready" in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"fitcoach worker not ready in {READY_TIMEOUT_S} s:\n{self.log_tail()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        """SIGTERM, the graceful stop; SIGKILL for the whole session if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT_S)

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def worker_env(server_env: dict[str, str], broker_url: str, queue: str) -> dict[str, str]:
    """The servers' production environment, with the broker; the scheduler off, so recurring
    jobs (trial notices over every customer) do not land in the measurement."""
    return server_env | {
        "FITCOACH_BROKER_URL": broker_url,
        "FITCOACH_BROKER_QUEUE": queue,
        "FITCOACH_SCHEDULER_ENABLED": "false",
    }


async def broker_reachable(broker_url: str) -> str | None:
    """None when RabbitMQ answers, else why not."""
    try:
        connection = await asyncio.wait_for(aio_pika.connect(broker_url), 10)
    except (OSError, TimeoutError, aio_pika.exceptions.AMQPError) as exc:
        return f"RabbitMQ unreachable at {broker_url}: {type(exc).__name__}"
    await connection.close()
    return None


async def delete_queue(broker_url: str, queue: str) -> None:
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        for name in (queue, f"{queue}.dead_letter"):
            await channel.queue_delete(name)
        await channel.exchange_delete(queue)


class Producer:
    """Commits SubscriptionGranted events for the seeded customers, as admins' grants do."""

    def __init__(self, targets: Targets) -> None:
        self.targets = targets
        self.engine = create_async_engine(targets.sqlalchemy_url, pool_size=4)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.users: list[uuid.UUID] = []
        self.sent = 0

    async def start(self) -> None:
        connection = await asyncpg.connect(self.targets.database_dsn)
        try:
            rows = await connection.fetch("SELECT id FROM users ORDER BY id LIMIT 1000")
        finally:
            await connection.close()
        self.users = [row["id"] for row in rows]
        if not self.users:
            raise RuntimeError("the seed has no users to grant to")

    async def close(self) -> None:
        await self.engine.dispose()

    async def commit(self, count: int) -> None:
        async with self.sessions() as session, session.begin():
            self._record(session, count)

    def _record(self, session: AsyncSession, count: int) -> None:
        now = datetime.now(UTC)
        for _ in range(count):
            user = self.users[self.sent % len(self.users)]
            self.sent += 1
            record_event(
                session,
                SubscriptionGranted(
                    occurred_at=now,
                    actor_id=None,
                    subject_type=SUBJECT_TYPE,
                    subject_id=str(uuid.uuid4()),
                    user_id=user,
                    days=30,
                    ends_at=now,
                ),
            )

    async def burst(self, count: int) -> None:
        """`count` events as fast as it can: transactions of a hundred, four at a time."""
        sizes = [min(BURST_PER_TRANSACTION, count - start)
                 for start in range(0, count, BURST_PER_TRANSACTION)]  # fmt: skip
        for first in range(0, len(sizes), 4):
            await asyncio.gather(*(self.commit(size) for size in sizes[first : first + 4]))

    async def steady(self, rate: int, seconds: int) -> float:
        """`rate` events a second for `seconds`, in transactions of ten on a fixed schedule;
        the rate actually sent."""
        interval = EVENTS_PER_TRANSACTION / rate
        loop = asyncio.get_running_loop()
        started = loop.time()
        pending: set[asyncio.Task[None]] = set()
        for tick in range(int(seconds * rate / EVENTS_PER_TRANSACTION)):
            delay = started + tick * interval - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(self.commit(EVENTS_PER_TRANSACTION))
            pending.add(task)
            task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)
        return seconds * rate / (loop.time() - started)


async def handled_since(dsn: str, since: datetime) -> tuple[int, int]:
    """(the scenario's events recorded since `since`, of them those whose handler job has
    succeeded). Only `SubscriptionGranted`: the HTTP phases before this one leave other events
    in the outbox (a completion's `PlanItemCompleted`), which no `notify_granted` job ever
    handles, so counting them waited for events that could never be handled."""
    connection = await asyncpg.connect(dsn)
    try:
        row = await connection.fetchrow(
            """
            SELECT count(*) AS recorded, count(j.finished_at) AS handled
            FROM outbox_events o
            LEFT JOIN jobs j ON j.dedupe_key = $2::text || o.id::text AND j.state = 'succeeded'
            WHERE o.recorded_at >= $1 AND o.type = $3
            """,
            since,
            JOB_KEY_PREFIX,
            SubscriptionGranted.type,
        )
    finally:
        await connection.close()
    assert row is not None
    return int(row["recorded"]), int(row["handled"])


async def lags_since(dsn: str, since: datetime) -> list[float]:
    """Seconds from each event's recording to its handler's commit."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            """
            SELECT extract(epoch FROM j.finished_at - o.recorded_at) AS lag
            FROM outbox_events o
            JOIN jobs j ON j.dedupe_key = $2::text || o.id::text
            WHERE o.recorded_at >= $1 AND o.type = $3 AND j.state = 'succeeded'
            """,
            since,
            JOB_KEY_PREFIX,
            SubscriptionGranted.type,
        )
    finally:
        await connection.close()
    return [float(row["lag"]) for row in rows]


async def span_since(dsn: str, since: datetime) -> float:
    """Seconds from the first recording since `since` to the last handler's commit."""
    connection = await asyncpg.connect(dsn)
    try:
        span = await connection.fetchval(
            """
            SELECT extract(epoch FROM max(j.finished_at) - min(o.recorded_at))
            FROM outbox_events o
            JOIN jobs j ON j.dedupe_key = $2::text || o.id::text
            WHERE o.recorded_at >= $1 AND o.type = $3
            """,
            since,
            JOB_KEY_PREFIX,
            SubscriptionGranted.type,
        )
    finally:
        await connection.close()
    return float(span)


async def wait_handled(dsn: str, since: datetime, timeout_s: float) -> int:
    """Wait until every event recorded since `since` is handled; how many there were."""
    deadline = time.monotonic() + timeout_s
    while True:
        recorded, handled = await handled_since(dsn, since)
        if recorded == handled:
            return handled
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {handled:,} of {recorded:,} events handled in {timeout_s} s")
        await asyncio.sleep(0.5)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


async def measure(targets: Targets, shape: EventShape, pids: list[int]) -> EventResult:
    """Both phases against workers already running (their pids, for their CPU time)."""
    result = EventResult(shape=shape)
    producer = Producer(targets)
    await producer.start()
    dsn = targets.database_dsn
    try:
        since = datetime.now(UTC)
        await producer.commit(EVENTS_PER_TRANSACTION)  # warm-up: connections, first handlers
        await wait_handled(dsn, since, 120)

        since = datetime.now(UTC)
        cpu_before = cpu_seconds(pids)
        await producer.burst(shape.backlog)
        handled = await wait_handled(dsn, since, 600)
        cpu_used = cpu_seconds(pids) - cpu_before
        result.capacity_events = handled
        result.capacity_per_s = round(handled / await span_since(dsn, since), 1)
        result.worker_cpu_ms_per_event = round(cpu_used * 1000 / handled, 2)

        since = datetime.now(UTC)
        result.steady_sent_per_s = round(await producer.steady(shape.steady_rate, shape.steady_s))
        await wait_handled(dsn, since, 600)
        lags = await lags_since(dsn, since)
        result.lag_ms = {
            "p50": round(statistics.median(lags) * 1000, 1),
            "p90": round(percentile(lags, 0.90) * 1000, 1),
            "p99": round(percentile(lags, 0.99) * 1000, 1),
            "max": round(max(lags) * 1000, 1),
        }
    finally:
        await producer.close()
    return result


# Report -------------------------------------------------------------------------------------


def budget_verdicts(doc: dict[str, object] | None) -> list[dict[str, object]]:
    """The scenario's two budgets, judged on its document (None: not run)."""
    rules = (
        f"events: >= {BUDGET_EVENTS_PER_S:,} events/s from commit to handler",
        f"events: lag p99 < {BUDGET_LAG_P99_S:.0f} s at a steady 500 events/s",
    )
    if doc is None:
        return []
    capacity, lag = doc.get("capacity_per_s"), doc.get("lag_ms") or {}
    if capacity is None or not isinstance(lag, dict) or "p99" not in lag:
        return [{"rule": rule, "passed": None, "value": doc["status"]} for rule in rules]
    assert isinstance(capacity, float)
    p99_s = float(lag["p99"]) / 1000
    return [
        {"rule": rules[0], "passed": capacity >= BUDGET_EVENTS_PER_S,
         "value": f"{capacity:,.0f} events/s"},
        {"rule": rules[1], "passed": p99_s < BUDGET_LAG_P99_S, "value": f"{p99_s * 1000:.0f} ms"},
    ]  # fmt: skip


def table_rows(doc: dict[str, object] | None) -> tuple[list[str], list[list[str]]]:
    headers = ["Events", "events/s", "worker CPU ms/event", "steady rate/s", "lag p50 ms",
               "p90 ms", "p99 ms", "max ms", "note"]  # fmt: skip
    if doc is None:
        return headers, []
    lag = doc.get("lag_ms") or {}
    assert isinstance(lag, dict)

    def shown(value: object) -> str:
        return "-" if value is None else f"{value:,}"

    return headers, [
        [
            TITLE,
            shown(doc.get("capacity_per_s")),
            shown(doc.get("worker_cpu_ms_per_event")),
            shown(doc.get("steady_sent_per_s")),
            *(shown(lag.get(key)) for key in ("p50", "p90", "p99", "max")),
            "" if doc["status"] == "ok" else str(doc["status"]),
        ]
    ]
