"""Automations on live events, run by the embedded workers: once per automation and event
under redelivery, behind the frequency cap and the loop guard, with a run history."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import (
    CoachTask,
    CustomerTag,
    Job,
    Notification,
    OutboxEvent,
)
from fitcoach.worker.events import handling_at_depth, record_event
from tests.automations.events import WorkoutLogged, log_workout, rule
from tests.automations.helpers import HANDLER, count, handled, redeliver
from tests.factories import Account, Factory, with_settings
from tests.worker.helpers import wait_until

URL = "/api/v1/automations"
pytestmark = with_settings(worker_embedded=True, scheduler_enabled=False, worker_poll_seconds=0.05)


@pytest.fixture
async def admin(factory: Factory) -> Account:
    return await factory.admin()


async def _runs(
    client: httpx.AsyncClient, admin: Account, automation_id: str
) -> list[dict[str, Any]]:
    response = await client.get(f"{URL}/{automation_id}/runs", headers=admin.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["items"]
    return items


async def _create(client: httpx.AsyncClient, admin: Account, **overrides: Any) -> str:
    response = await client.post(URL, json=rule(**overrides), headers=admin.headers)
    assert response.status_code == 201, response.text
    automation_id: str = response.json()["data"]["id"]
    return automation_id


async def test_a_matching_event_runs_the_actions_once_and_is_in_the_history(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    coach, customer = await factory.coach(), await factory.customer(name="Alice Able")
    await factory.assign_coach(coach, customer)
    actions = [
        {"type": "notify", "title": "Missed you", "body": "Tomorrow then, {{customer.name}}?"},
        {"type": "tag", "tag": "skipper"},
        {"type": "task", "title": "Call {{customer.name}}", "dueInDays": 2},
    ]
    automation_id = await _create(client, admin, actions=actions)
    event = await log_workout(app, customer.id, clock.now(), status="skipped")
    ignored = await log_workout(app, customer.id, clock.now(), status="completed")
    await handled(app, event.id)
    await handled(app, ignored.id)

    (run,) = await _runs(client, admin, automation_id)
    assert (run["eventId"], run["outcome"], run["customerId"]) == (
        str(event.id),
        "performed",
        str(customer.id),
    )
    assert run["reasons"] == [
        "event.status eq 'skipped' (was 'skipped')",
        "customer.age gte 30 (was 30)",
    ]
    assert [item["type"] for item in run["performed"]] == ["notify", "tag", "task"]
    async with app.state.sessionmaker() as session:
        notification = (await session.scalars(select(Notification))).one()
        task = (await session.scalars(select(CoachTask))).one()
        tagged = (
            await session.scalars(
                select(OutboxEvent).where(OutboxEvent.type == "automations.customer_tagged")
            )
        ).one()
    assert (notification.user_id, notification.body) == (customer.id, "Tomorrow then, Alice Able?")
    assert (task.coach_id, task.title) == (coach.id, "Call Alice Able")
    assert await count(app, CustomerTag, CustomerTag.customer_id == customer.id) == 1
    # The tag's event was caused by handling a request's event: one level deeper.
    assert tagged.depth == 1


async def test_a_redelivered_event_runs_nothing_twice(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    customer = await factory.customer()
    automation_id = await _create(client, admin)
    event = await log_workout(app, customer.id, clock.now(), status="skipped")
    await handled(app, event.id)

    # A redelivery after the processed-events row was lost: the run row still stops it.
    await redeliver(app, event.id, clock.now())
    assert len(await _runs(client, admin, automation_id)) == 1
    assert await count(app, Notification) == 1
    assert await count(app, CustomerTag) == 1


async def test_the_frequency_cap_stops_a_second_run_within_the_window(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    customer = await factory.customer()
    automation_id = await _create(client, admin, frequencyCap={"maxRuns": 1, "perHours": 24})
    first = await log_workout(app, customer.id, clock.now(), status="skipped")
    await handled(app, first.id)
    second = await log_workout(app, customer.id, clock.now(), status="skipped")
    await handled(app, second.id)

    runs = {run["eventId"]: run["outcome"] for run in await _runs(client, admin, automation_id)}
    assert runs == {str(first.id): "performed", str(second.id): "frequencyCap"}
    assert await count(app, Notification) == 1


async def test_the_loop_guard_stops_an_event_deep_in_a_chain(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    customer = await factory.customer()
    automation_id = await _create(client, admin)
    # As if recorded by a handler of a handler of a handler: depth 3.
    deep = WorkoutLogged(
        occurred_at=clock.now(),
        actor_id=None,
        subject_type="customer",
        subject_id=str(customer.id),
        customer_id=customer.id,
        status="skipped",
        minutes=10,
    )
    async with app.state.sessionmaker() as session, session.begin():
        handling_at_depth(session, 2)
        record_event(session, deep)
    await handled(app, deep.id)

    (run,) = await _runs(client, admin, automation_id)
    assert run["outcome"] == "loopGuard"
    assert run["performed"] == []
    assert await count(app, Notification) == 0
    assert await count(app, CustomerTag) == 0


async def test_a_chain_of_automations_carries_its_depth(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    """A tags on a skipped workout; B tags again when A's tag lands. Each reaction's event is
    one level deeper than its cause."""
    customer = await factory.customer()
    await _create(client, admin, actions=[{"type": "tag", "tag": "first"}])
    second = await _create(
        client,
        admin,
        trigger={"event": "automations.customer_tagged"},
        conditions={"field": "event.tag", "op": "eq", "value": "first"},
        actions=[{"type": "tag", "tag": "second"}],
    )
    await log_workout(app, customer.id, clock.now(), status="skipped")

    async def both_tags() -> bool:
        return await count(app, CustomerTag, CustomerTag.customer_id == customer.id) == 2

    await wait_until(both_tags, what="the chain of tags")
    async with app.state.sessionmaker() as session:
        depths = dict(
            (
                await session.execute(
                    select(OutboxEvent.payload["tag"].as_string(), OutboxEvent.depth).where(
                        OutboxEvent.type == "automations.customer_tagged"
                    )
                )
            ).all()
        )
    assert depths == {"first": 1, "second": 2}
    assert [run["outcome"] for run in await _runs(client, admin, second)] == ["performed"]


async def test_events_no_active_automation_wants_cost_no_job(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    customer = await factory.customer()
    automation_id = await _create(client, admin, status="paused")
    before = await log_workout(app, customer.id, clock.now(), status="skipped")

    async def relayed() -> bool:
        return await count(app, OutboxEvent, OutboxEvent.relayed_at.is_not(None)) == 1

    await wait_until(relayed, what="the event relayed")
    assert await count(app, Job, Job.dedupe_key == f"event:{HANDLER}:{before.id}") == 0

    activated = await client.patch(
        f"{URL}/{automation_id}", json={"status": "active"}, headers=admin.headers
    )
    assert activated.status_code == 200
    after = await log_workout(app, customer.id, clock.now(), status="skipped")
    await handled(app, after.id)
    assert [run["eventId"] for run in await _runs(client, admin, automation_id)] == [str(after.id)]
