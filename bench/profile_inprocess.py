"""What one request of each hot path costs in CPU, measured in-process: fitcoach's ASGI app
driven directly (no server, no sockets, no load generator), so the figure holds on a shared,
busy machine where wrk's throughput means little. Beside it, the bare FastAPI ceiling of
bench/ceilings.py driven the same way, and the loop's garbage-collection pauses.

    .venv/bin/python bench/profile_inprocess.py [--requests 2000] [--only auth_me]
        [--profile auth_me] [--top 25] [--keep-database]

It makes its own PostgreSQL database (`fitcoach_profile`, dropped at the end), migrates and seeds
it with the bench's seed (a smaller shape), starts the app's lifespan (so the change feed and
the read caches are live, as in production) and sends each scenario's requests one after the
other: CPU ms per request is time.process_time() over the measured requests / their count.
`--profile KEY` prints cProfile's top functions (by own time and by cumulative time) for that
scenario. Compare two versions of the code by alternating runs on the same machine state.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import os
import pstats
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import database
from harness.config import REPO_DIR, BenchSettings, Targets
from harness.scenarios import CATALOG, ME, OTP_LOGIN, OTP_SEND, PROFILE, REFRESH, TRAINING
from harness.seed import SeedData, SeedShape, seed
from harness.sessions import calendar_path
from harness.threads import THREADS_PATH
from harness.training import COMPLETION, TODAY, completion_body
from harness.wearables import WEARABLE_WEBHOOK, delivery

Send = Callable[[], Awaitable[None]]
App = Callable[..., Awaitable[None]]


@dataclass
class Answer:
    status: int = 0
    body: bytearray = field(default_factory=bytearray)


async def call(
    app: App, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> Answer:
    """One request through the ASGI app, as a server would hand it over."""
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + ([(b"content-length", str(len(body)).encode())] if body else []),
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 3000),
        "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    answer = Answer()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await app(scope, receive, send)
    return answer


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


JSON = {"content-type": "application/json"}


class Requests:
    """Endless request makers per scenario, each a coroutine function sending one request."""

    def __init__(self, app: App, data: SeedData) -> None:
        self.app = app
        self.data = data

    def _rotate(self, items: list[Any], make: Callable[[Any], Awaitable[Answer]]) -> Send:
        index = 0

        async def one() -> None:
            nonlocal index
            item = items[index % len(items)]
            index += 1
            answer = await make(item)
            if answer.status >= 300:
                raise RuntimeError(f"{answer.status}: {bytes(answer.body)[:300]!r}")

        return one

    def get(self, users: list[Any], path: str) -> Send:
        return self._rotate(
            users,
            lambda u: call(self.app, "GET", path.replace("{userId}", u.user_id), _bearer(u.token)),
        )

    def profile_read(self, credential: str) -> Send:
        """The customers' profiles read with one credential: the partner's API key or the
        admin's access token."""
        users = self.data.free_users + self.data.paid_users
        return self._rotate(
            users,
            lambda u: call(
                self.app, "GET", PROFILE.replace("{userId}", u.user_id), _bearer(credential)
            ),
        )

    def wearable_webhook(self) -> Send:
        """Signed partner deliveries, each its own (a repeated webhook-id is a replay)."""
        users = self.data.wearable_users
        number = 0

        async def one() -> None:
            nonlocal number
            webhook_id, stamp, signature, body = delivery(
                users[number % len(users)], number, datetime.now(UTC)
            )
            number += 1
            headers = {
                **JSON,
                "webhook-id": webhook_id,
                "webhook-timestamp": stamp,
                "webhook-signature": signature,
                "wearable-provider": "partner",
            }
            answer = await call(self.app, "POST", WEARABLE_WEBHOOK, headers, body.encode())
            if answer.status != 202:
                raise RuntimeError(f"{answer.status}: {bytes(answer.body)[:300]!r}")

        return one

    def otp_cycle(self) -> Send:
        numbers = self.data.load_qa
        step = 0

        async def one() -> None:
            nonlocal step
            phone, code = numbers[(step // 2) % len(numbers)]
            if step % 2 == 0:
                body = json.dumps({"phone": phone}).encode()
                answer = await call(self.app, "POST", OTP_SEND, JSON, body)
            else:
                body = json.dumps({"phone": phone, "otp": code}).encode()
                answer = await call(self.app, "POST", OTP_LOGIN, JSON, body)
            step += 1
            if answer.status >= 300:
                raise RuntimeError(f"{answer.status}: {bytes(answer.body)[:300]!r}")

        return one

    def refresh(self) -> Send:
        tokens = [token for slot in self.data.refresh_slots for token in slot]

        def make(token: str) -> Awaitable[Answer]:
            body = json.dumps({"refreshToken": token}).encode()
            return call(self.app, "POST", REFRESH, JSON, body)

        return self._rotate(tokens, make)

    def completion(self) -> Send:
        # Item-major, as completion.lua sends them: consecutive requests are other customers.
        width = max(len(one.item_ids) for one in self.data.completions)
        pairs = [
            (one.token, one.plan_id, one.item_ids[index])
            for index in range(width)
            for one in self.data.completions
            if index < len(one.item_ids)
        ]
        step = 0

        async def one() -> None:
            nonlocal step
            token, plan_id, item_id = pairs[step % len(pairs)]
            # Each pair is completed in one round and back to pending in the next.
            status = "completed" if (step // len(pairs)) % 2 == 0 else "pending"
            step += 1
            path = COMPLETION.replace("{planId}", plan_id).replace("{itemId}", item_id)
            body = json.dumps(completion_body(status)).encode()
            answer = await call(self.app, "PATCH", path, JSON | _bearer(token), body)
            if answer.status >= 300:
                raise RuntimeError(f"{answer.status}: {bytes(answer.body)[:300]!r}")

        return one


class Events:
    """The events scenario in-process: each request commits ten `SubscriptionGranted` events (as
    a request would) and waits until the embedded worker (relay, claim, handler, deliveries)
    has handled them, so CPU per request is ten events' whole path from commit to handler."""

    def __init__(self, app: Any, data: SeedData) -> None:
        from sqlalchemy import func, select

        from fitcoach.models import Job

        self.app = app
        self.users = [uuid.UUID(user.user_id) for user in data.free_users + data.paid_users]
        self.sent = 0
        self.succeeded = select(func.count()).select_from(Job).where(Job.state == "succeeded")

    async def _handled(self) -> int:
        async with self.app.state.sessionmaker() as session:
            return int(await session.scalar(self.succeeded))

    async def __call__(self) -> None:
        from fitcoach.subscriptions.events import SUBJECT_TYPE, SubscriptionGranted
        from fitcoach.worker.events import record_event

        before = await self._handled()
        now = datetime.now(UTC)
        async with self.app.state.sessionmaker() as session, session.begin():
            for _ in range(EVENTS_PER_REQUEST):
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
        deadline = time.monotonic() + 30
        while await self._handled() < before + EVENTS_PER_REQUEST:
            if time.monotonic() > deadline:
                raise RuntimeError("the embedded worker did not handle the events in 30 s")
            await asyncio.sleep(0.002)


EVENTS_PER_REQUEST = 10


class StatementCount:
    """SQL statements sent to the database (the app's engine), for statements per request."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_: Any) -> None:
        self.count += 1


STATEMENTS = StatementCount()


@dataclass
class GcPauses:
    counts: list[int] = field(default_factory=lambda: [0, 0, 0])
    longest_ms: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    total_ms: float = 0.0
    _started: float = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        elapsed = (time.perf_counter() - self._started) * 1000
        generation = info["generation"]
        self.counts[generation] += 1
        self.longest_ms[generation] = max(self.longest_ms[generation], elapsed)
        self.total_ms += elapsed


async def measure(name: str, send: Send, count: int, profile: bool, top: int) -> dict[str, Any]:
    # Warm-up: every user's caches filled, pools grown (ten events a request need fewer).
    for _ in range(count // 4 if isinstance(send, Events) else max(count // 4, 400)):
        await send()
    pauses = GcPauses()
    gc.callbacks.append(pauses)
    profiler = cProfile.Profile() if profile else None
    try:
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        statements_before = STATEMENTS.count
        if profiler is not None:
            profiler.enable()
        for _ in range(count):
            await send()
        if profiler is not None:
            profiler.disable()
        cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
        statements = STATEMENTS.count - statements_before
    finally:
        gc.callbacks.remove(pauses)
    if profiler is not None:
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
            print(f"--- {name}: top {top} by {order}\n{_trimmed(out.getvalue())}")
    return {
        "scenario": name,
        "requests": count,
        "cpu_ms_per_request": round(cpu / count * 1000, 3),
        "wall_ms_per_request": round(wall / count * 1000, 3),
        "statements_per_request": round(statements / count, 2),
        "gc_collections": pauses.counts,
        "gc_longest_ms": [round(ms, 2) for ms in pauses.longest_ms],
        "gc_total_ms": round(pauses.total_ms, 1),
    }


def _trimmed(text: str) -> str:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(line.replace(str(REPO_DIR) + "/", "") for line in lines[start:])


def _environment(bench: BenchSettings, data: SeedData) -> None:
    for key in [key for key in os.environ if key.startswith("FITCOACH_")]:
        del os.environ[key]
    os.environ.update(bench.server_env(data.test_otps, rate_limits=False))
    # The hourly trial notices for the seeded customers would otherwise be delivered during
    # the first scenarios measured, and their CPU counted as the requests'.
    os.environ["FITCOACH_SCHEDULER_ENABLED"] = "false"


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    targets = Targets(args.postgres, args.database, args.redis)
    bench = BenchSettings(targets)
    await database.recreate_database(targets)
    try:
        work = REPO_DIR / "bench" / "results"
        work.mkdir(exist_ok=True)
        await asyncio.to_thread(
            database.migrate, targets, bench.server_env("", rate_limits=False), work
        )
        shape = SeedShape(
            customers=1_000,
            token_users=150,
            login_users=50,
            qa_phones=400,
            otp_history=1_000,
            refresh_slots=1,
            refresh_per_slot=args.requests * 2,
        )
        data = await seed(targets.database_dsn, bench, shape)
        _environment(bench, data)
        return await _scenarios(args, data)
    finally:
        if not args.keep_database:
            await database.drop_database(targets)


async def _scenarios(args: argparse.Namespace, data: SeedData) -> list[dict[str, Any]]:
    from ceilings import fastapi_app
    from sqlalchemy import event

    from fitcoach.app import create_app
    from fitcoach.config import Settings

    app = create_app(Settings(_env_file=None))  # type: ignore[call-arg]
    requests = Requests(app, data)
    both = [user for pair in zip(data.free_users, data.paid_users, strict=True) for user in pair]
    scenarios: dict[str, tuple[Send, int]] = {
        "fastapi_ceiling": (
            lambda: call(fastapi_app, "GET", "/ceiling", {}),  # type: ignore[dict-item]
            args.requests,
        ),
        "auth_me": (requests.get(both, ME), args.requests),
        "plans_training_free": (requests.get(data.free_users, TRAINING), args.requests),
        "plans_training_paid": (requests.get(data.paid_users, TRAINING), args.requests),
        "catalog_products": (requests.get(both, CATALOG), args.requests),
        "plans_today": (requests.get(both, TODAY), args.requests // 2),
        "completion": (requests.completion(), args.requests // 4),
        "otp_cycle": (requests.otp_cycle(), args.requests // 4),
        "refresh": (requests.refresh(), args.requests // 4),
        "events_x10": (Events(app, data), args.requests // 20),
        "threads_list_10": (requests.get([data.inbox_coaches[10]], THREADS_PATH), args.requests),
        "threads_list_10000": (
            requests.get([data.inbox_coaches[10_000]], THREADS_PATH),
            args.requests,
        ),
        "wearable_webhook": (requests.wearable_webhook(), args.requests // 2),
        "profile_api_key": (requests.profile_read(data.api_key), args.requests),
        "profile_jwt": (requests.profile_read(data.admin.token), args.requests),
        "sessions_calendar_1000": (
            requests.get([data.calendar_coaches[1_000]], calendar_path()),
            args.requests // 2,
        ),
    }
    event.listen(app.state.engine.sync_engine, "before_cursor_execute", STATEMENTS)
    results = []
    async with app.router.lifespan_context(app):
        _freeze_like_serve()
        for name, (send, count) in scenarios.items():
            if args.only and name not in args.only and name != "fastapi_ceiling":
                continue
            result = await measure(name, send, count, name in args.profile, args.top)
            results.append(result)
            print(json.dumps(result), file=sys.stderr)
    return results


def _freeze_like_serve() -> None:
    """What `fitcoach serve` does in each worker once it has started, when the code has it."""
    try:
        from fitcoach.core.gc_tuning import freeze_start_up_heap
    except ImportError:  # an older tree, measured for comparison
        return
    freeze_start_up_heap()


def _table(results: list[dict[str, Any]]) -> str:
    ceiling = next((r for r in results if r["scenario"] == "fastapi_ceiling"), None)
    lines = [
        "| scenario | CPU ms/req | wall ms/req | statements/req | x FastAPI ceiling CPU "
        "| gc gen0/1/2 | longest gc ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        ratio = r["cpu_ms_per_request"] / ceiling["cpu_ms_per_request"] if ceiling else 0
        gen = "/".join(str(c) for c in r["gc_collections"])
        lines.append(
            f"| {r['scenario']} | {r['cpu_ms_per_request']:.3f} | {r['wall_ms_per_request']:.3f} "
            f"| {r['statements_per_request']} | {ratio:.1f}x | {gen} "
            f"| {max(r['gc_longest_ms']):.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--profile", action="append", default=[], metavar="SCENARIO")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="fitcoach_profile")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    print(_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
