"""Domain events go to the outbox in the changing transaction, and each subscribed handler
acts on each event once in effect, whatever is redelivered or restarted. In-process (the
embedded shape), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import func, select, update

from fitcoach.core.clock import FrozenClock
from fitcoach.models import Job, OutboxEvent, ProcessedEvent
from fitcoach.worker.events import event_of, record_event
from tests.conftest import make_settings
from tests.worker.helpers import effects, record_samples, running_app, wait_until
from tests.worker.sample import HANDLED, SampleHappened

# Loops on, the scheduler off (its sample recurring job would add jobs of its own).
WORKING = {"worker_embedded": True, "scheduler_enabled": False, "worker_poll_seconds": 0.05}


async def _outbox_size(app: FastAPI) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxEvent)) or 0)


async def test_a_rolled_back_transaction_leaves_no_event(app: FastAPI, clock: FrozenClock) -> None:
    async with app.state.sessionmaker() as session:
        await session.begin()
        event = SampleHappened(
            occurred_at=clock.now(), actor_id=None, subject_type="sample", subject_id="a", note="n"
        )
        record_event(session, event)
        await session.flush()
        await session.rollback()
    assert await _outbox_size(app) == 0


async def test_a_committed_event_is_in_the_outbox_as_it_was_recorded(
    app: FastAPI, clock: FrozenClock
) -> None:
    actor = uuid.uuid4()
    event = SampleHappened(
        occurred_at=clock.now(), actor_id=actor, subject_type="sample", subject_id="b", note="hi"
    )
    async with app.state.sessionmaker() as session, session.begin():
        record_event(session, event)
    async with app.state.sessionmaker() as session:
        row = await session.get(OutboxEvent, event.id)
    assert row is not None
    assert (row.type, row.version, row.relayed_at) == ("tests.sample_happened", 1, None)
    assert event_of(row) == event


async def test_events_committed_before_a_restart_are_handled_once_after_it(
    app: FastAPI, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    # `app` runs no workers: as if the process died right after its commits.
    subjects = await record_samples(app.state.sessionmaker, 40, clock.now())
    assert await effects(app.state.sessionmaker, HANDLED) == {}

    settings = make_settings(database_url, tmp_path, **WORKING)
    async with running_app(settings, clock) as restarted:
        sessions = restarted.state.sessionmaker

        async def all_handled() -> bool:
            return len(await effects(sessions, HANDLED)) == len(subjects)

        await wait_until(all_handled, what="every event handled")
    assert await effects(app.state.sessionmaker, HANDLED) == dict.fromkeys(subjects, 1)


async def test_a_redelivered_event_has_no_second_effect(
    app: FastAPI, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    settings = make_settings(database_url, tmp_path, **WORKING)
    async with running_app(settings, clock) as working:
        sessions = working.state.sessionmaker
        subjects = await record_samples(sessions, 25, clock.now())
        working.state.worker.wake()

        async def all_succeeded() -> bool:
            async with sessions() as session:
                states = (await session.scalars(select(Job.state))).all()
            return len(states) == len(subjects) and set(states) == {"succeeded"}

        await wait_until(all_succeeded, what="every handler job done")
        # Every job delivered again, as after a lost acknowledgement.
        async with sessions() as session, session.begin():
            await session.execute(update(Job).values(state="pending", finished_at=None))
        working.state.worker.wake()
        await wait_until(all_succeeded, what="the redeliveries done")
        async with sessions() as session:
            processed = await session.scalar(select(func.count()).select_from(ProcessedEvent))
    assert processed == len(subjects)
    assert await effects(app.state.sessionmaker, HANDLED) == dict.fromkeys(subjects, 1)
