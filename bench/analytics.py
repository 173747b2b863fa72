"""The analytics hot paths on PostgreSQL, in-process (the ASGI app driven directly, as
profile_inprocess.py does): the cohort table over 100,000 customers and 1,000,000 activity
events (budget: p50 under 2 s), and one customer's progress over a year (p50 under 50 ms).

    .venv/bin/python bench/analytics.py [--quick] [--allow-busy] [--requests 20] [--keep]
        [--json FILE]

It makes its own database (`fitcoach_analytics_bench`, dropped at the end), migrates it, seeds
the harness's small shape for the accounts and tokens, then with COPY the analytics data: the
customers (signups over the last year) and their training days (the cohort query's events),
and for one signed-in customer a year of daily weights and steps. `--quick` seeds a tenth.
Exit status 1 when a budget fails (on a busy machine, with --allow-busy, that says little).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import database
from harness.config import REPO_DIR, BenchSettings, Targets
from harness.quiet import measure_quietness
from harness.seed import SeedShape, seed
from profile_inprocess import _environment, call

COHORTS = "/api/v1/analytics/cohorts?dimension=signupMonth&metric=retention&interval=month"
PROGRESS = "/api/v1/analytics/progress?range=1y&metrics=weight&metrics=steps"
BUDGETS_MS = {"analytics_cohorts": 2000.0, "analytics_progress": 50.0}
EVENTS_PER_CUSTOMER = 10


async def seed_analytics(dsn: str, customers: int, progress_customer: str) -> dict[str, int]:
    """Customers signed up over the last year, each with EVENTS_PER_CUSTOMER training days
    after their signup; a year of weights and steps for the progress customer."""
    rng = random.Random(22)  # noqa: S311 - reproducible seed data, not secrets
    now = datetime.now(UTC)
    users, roles, days = [], [], []
    for n in range(customers):
        user_id = uuid.uuid4()
        signed_up = now - timedelta(days=rng.randint(0, 364), seconds=rng.randint(0, 86_399))
        users.append(
            (user_id, f"Cohort {n}", False, False, False, 0, 0, False, signed_up, signed_up)
        )
        roles.append((user_id, "CUSTOMER", signed_up, signed_up))
        day = signed_up.date()
        for _ in range(EVENTS_PER_CUSTOMER):
            day += timedelta(days=rng.randint(1, 9))
            items = rng.randint(1, 6)
            done = rng.randint(0, items)
            days.append((user_id, day, items, done, items, done, now, now))
    weights, steps = [], []
    owner = uuid.UUID(progress_customer)
    for k in range(365):
        moment = now - timedelta(days=k, hours=2)
        weights.append(
            (
                uuid.uuid4(),
                owner,
                "body_weight",
                90 - k * 0.03 + rng.gauss(0, 0.4),
                "kg",
                moment,
                now,
                now,
            )
        )
        steps.append(
            (
                uuid.uuid4(),
                owner,
                "fitbit",
                "steps",
                f"s{k}",
                float(rng.randint(2000, 15000)),
                "count",
                moment,
                now,
                now,
                "{}",
            )
        )
    connection = await asyncpg.connect(dsn)
    try:
        await connection.copy_records_to_table(
            "users",
            records=users,
            columns=("id", "name", "phone_verified", "email_verified", "is_blocked",
                     "failed_logins", "lock_level", "mfa_enabled", "created_at", "updated_at"),
        )  # fmt: skip
        await connection.copy_records_to_table(
            "user_roles", records=roles, columns=("user_id", "role", "created_at", "updated_at")
        )
        await connection.copy_records_to_table(
            "training_days",
            records=days,
            columns=("customer_id", "local_date", "workouts", "workouts_done", "items",
                     "items_done", "created_at", "updated_at"),
        )  # fmt: skip
        await connection.copy_records_to_table(
            "progress_entries",
            records=weights,
            columns=("id", "customer_id", "kind", "value", "unit", "measured_at", "created_at",
                     "updated_at"),
        )  # fmt: skip
        await connection.copy_records_to_table(
            "wearable_metrics",
            records=steps,
            columns=("id", "customer_id", "provider", "kind", "source_id", "value", "unit",
                     "started_at", "created_at", "updated_at", "details"),
        )  # fmt: skip
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return {"customers": customers, "training_days": len(days), "progress_days": 365}


async def measure(app: object, path: str, token: str, count: int) -> list[float]:
    headers = {"authorization": f"Bearer {token}"}
    answer = await call(app, "GET", path, headers)  # type: ignore[arg-type]
    if answer.status != 200:
        raise RuntimeError(f"{path} answered {answer.status}: {bytes(answer.body)[:300]!r}")
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        await call(app, "GET", path, headers)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def run(args: argparse.Namespace) -> int:
    targets = Targets(args.postgres, args.database, args.redis)
    bench = BenchSettings(targets)
    await database.recreate_database(targets)
    try:
        work = REPO_DIR / "bench" / "results"
        work.mkdir(exist_ok=True)
        env = bench.server_env("", rate_limits=False)
        await asyncio.to_thread(database.migrate, targets, env, work)
        shape = SeedShape(customers=200, token_users=10, login_users=10, qa_phones=10,
                          otp_history=10, refresh_slots=1, refresh_per_slot=10)  # fmt: skip
        data = await seed(targets.database_dsn, bench, shape)
        customers = 10_000 if args.quick else 100_000
        started = time.perf_counter()
        counts = await seed_analytics(targets.database_dsn, customers, data.paid_users[0].user_id)
        print(f"seeded {counts} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        _environment(bench, data)

        from ceilings import fastapi_app

        from fitcoach.app import create_app
        from fitcoach.config import Settings

        app = create_app(Settings(_env_file=None))  # type: ignore[call-arg]
        measured: dict[str, dict[str, float | int]] = {}
        # The bare FastAPI endpoint of the wrk runs, driven the same way: the ratio says how
        # many framework-only requests one analytics request costs on this machine today.
        ceiling_ms = statistics.median(await measure(fastapi_app, "/ceiling", "", 2_000))
        async with app.router.lifespan_context(app):
            for key, path, token, count in (
                ("analytics_cohorts", COHORTS, data.admin.token, max(3, args.requests // 4)),
                ("analytics_progress", PROGRESS, data.paid_users[0].token, args.requests),
            ):
                timings = await measure(app, path, token, count)
                p50 = statistics.median(timings)
                measured[key] = {"p50_ms": round(p50, 1), "max_ms": round(max(timings), 1),
                                 "requests": count, "budget_ms": BUDGETS_MS[key],
                                 "ceiling_ms": round(ceiling_ms, 4)}  # fmt: skip
                verdict = "pass" if p50 < BUDGETS_MS[key] else "FAIL"
                print(f"| {verdict} | {key}: p50 {p50:.1f} ms (budget {BUDGETS_MS[key]:.0f} ms), "
                      f"max {max(timings):.1f} ms over {count} requests; "
                      f"{p50 / ceiling_ms:,.0f}x the bare FastAPI request's "
                      f"{ceiling_ms:.3f} ms |")  # fmt: skip
        if args.json:
            text = json.dumps(measured, indent=2) + "\n"
            await asyncio.to_thread(Path(args.json).write_text, text)
        return 1 if any(m["p50_ms"] >= m["budget_ms"] for m in measured.values()) else 0
    finally:
        if args.keep:
            print(f"kept database {targets.database} for a look", file=sys.stderr)
        else:
            await database.drop_database(targets)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows")
    parser.add_argument("--allow-busy", action="store_true", help="measure on a busy machine")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="fitcoach_analytics_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--keep", action="store_true", help="keep the database (EXPLAIN it)")
    parser.add_argument("--json", help="also write the figures to this file (bench/run.py does)")
    args = parser.parse_args()
    quietness = measure_quietness(set())
    if quietness.busy and not args.allow_busy:
        print(f"the machine is busy ({quietness.describe()}); pass --allow-busy", file=sys.stderr)
        return 2
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
