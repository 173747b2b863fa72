"""Coach tasks through HTTP: a coach lists and completes their own, an admin anyone's (by a
filter), a customer none; the list costs a fixed number of queries."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event

from fitcoach.core.clock import FrozenClock
from fitcoach.models import CoachTask
from tests.factories import Account, Factory, assert_error

TASKS = "/api/v1/tasks"


async def _task(
    app: FastAPI, coach: Account, customer: Account, title: str, due_in_days: int | None = None
) -> str:
    task_id = uuid.uuid4()
    async with app.state.sessionmaker() as session, session.begin():
        session.add(
            CoachTask(
                id=task_id,
                coach_id=coach.id,
                customer_id=customer.id,
                title=title,
                due_at=app.state.clock.now() + timedelta(days=due_in_days)
                if due_in_days is not None
                else None,
            )
        )
    return str(task_id)


async def _list(client: httpx.AsyncClient, caller: Account, **params: str) -> list[dict[str, Any]]:
    response = await client.get(TASKS, params=params, headers=caller.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["items"]
    return items


async def test_a_coach_sees_and_completes_only_their_own_tasks(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    coach, other_coach = await factory.coach(), await factory.coach()
    customer = await factory.customer(name="Alice Able")
    later = await _task(app, coach, customer, "Check in", due_in_days=3)
    sooner = await _task(app, coach, customer, "Call Alice", due_in_days=1)
    theirs = await _task(app, other_coach, customer, "Not yours")

    listed = await _list(client, coach)
    assert [item["id"] for item in listed] == [sooner, later]
    assert listed[0]["customerName"] == "Alice Able"
    # Another coach's id filter shows nothing of theirs to this coach.
    assert await _list(client, coach, coachId=str(other_coach.id)) == []

    response = await client.patch(
        f"{TASKS}/{sooner}", json={"completed": True}, headers=coach.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["completedAt"] is not None
    assert [item["id"] for item in await _list(client, coach, state="open")] == [later]
    assert [item["id"] for item in await _list(client, coach, state="done")] == [sooner]
    # Done tasks follow the open ones.
    assert [item["id"] for item in await _list(client, coach)] == [later, sooner]

    reopened = await client.patch(
        f"{TASKS}/{sooner}", json={"completed": False}, headers=coach.headers
    )
    assert reopened.json()["data"]["completedAt"] is None
    # Another coach's task answers like a missing one.
    assert_error(
        await client.patch(f"{TASKS}/{theirs}", json={"completed": True}, headers=coach.headers),
        404,
        code="task_not_found",
    )


async def test_an_admin_sees_any_coachs_tasks_and_a_customer_none(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    coach, other_coach = await factory.coach(), await factory.coach()
    mine = await _task(app, coach, customer, "First")
    theirs = await _task(app, other_coach, customer, "Second")
    assert {item["id"] for item in await _list(client, admin)} == {mine, theirs}
    assert [item["id"] for item in await _list(client, admin, coachId=str(other_coach.id))] == [
        theirs
    ]
    done = await client.patch(f"{TASKS}/{theirs}", json={"completed": True}, headers=admin.headers)
    assert done.status_code == 200, done.text
    assert_error(await client.get(TASKS, headers=customer.headers), 403)
    assert_error(
        await client.patch(f"{TASKS}/{mine}", json={"completed": True}, headers=customer.headers),
        403,
    )


async def test_the_task_list_reads_a_fixed_number_of_queries(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    coach = await factory.coach()

    async def statements_for_list() -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
        try:
            await _list(client, coach)
        finally:
            event.remove(app.state.engine.sync_engine, "before_cursor_execute", count)
        return len(seen)

    await _task(app, coach, await factory.customer(), "One")
    # The first read warms what every later one shares (the caller's cached lookup).
    await _list(client, coach)
    few = await statements_for_list()
    for number in range(5):
        await _task(app, coach, await factory.customer(), f"Task {number}")
    assert await statements_for_list() == few
