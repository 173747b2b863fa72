"""The events benchmark (bench/harness/events.py) counts only the events it records. A run once
failed outright: the completion scenario before it had left `PlanItemCompleted` events in the
outbox, which the harness counted among its own and waited for a `notify_granted` job that no
such event ever gets."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from fitcoach.core.clock import FrozenClock
from fitcoach.subscriptions.events import SUBJECT_TYPE, SubscriptionGranted
from fitcoach.worker.events import record_event
from tests.conftest import asyncpg_dsn, make_settings
from tests.factories import Factory
from tests.worker.helpers import effects, running_app, wait_until
from tests.worker.sample import HANDLED, SampleHappened

pytestmark = pytest.mark.postgres_only

BENCH = Path(__file__).resolve().parents[2] / "bench"


async def test_the_benchmark_counts_only_its_own_events(
    app: FastAPI, factory: Factory, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from harness.events import handled_since
    finally:
        sys.path.remove(str(BENCH))
    customer = await factory.customer()
    since = datetime.now(UTC)
    now = clock.now()
    async with app.state.sessionmaker() as session, session.begin():
        # Another domain's event, as the HTTP phases leave them, beside the scenario's own.
        record_event(
            session,
            SampleHappened(
                occurred_at=now, actor_id=None, subject_type="sample", subject_id="a", note="x"
            ),
        )
        record_event(
            session,
            SubscriptionGranted(
                occurred_at=now,
                actor_id=None,
                subject_type=SUBJECT_TYPE,
                subject_id=str(uuid.uuid4()),
                user_id=customer.id,
                days=30,
                ends_at=now,
            ),
        )
    dsn = asyncpg_dsn(database_url)
    settings = make_settings(
        database_url,
        tmp_path,
        worker_embedded=True,
        scheduler_enabled=False,
        worker_poll_seconds=0.05,
    )
    async with running_app(settings, clock) as worker:

        async def both_handled() -> bool:
            sample = await effects(worker.state.sessionmaker, HANDLED)
            return sample == {"a": 1} and await handled_since(dsn, since) == (1, 1)

        await wait_until(both_handled, what="both events handled and counted")
