"""GET /sessions reads a fixed number of statements however many sessions and bookings the
page holds: the bookings of a page come in one query, never one per session."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import event

from tests.factories import Account, Factory
from tests.scheduling.helpers import SESSIONS, at, grant_sessions, scheduled


async def _statements_for_calendar(factory: Factory, app: FastAPI, coach: Account) -> int:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    start = factory.now
    params = {"start": start.isoformat(), "end": (start + timedelta(days=30)).isoformat()}
    event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
    try:
        response = await factory.client.get(SESSIONS, params=params, headers=coach.headers)
    finally:
        event.remove(app.state.engine.sync_engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text
    return len(seen)


async def test_the_calendar_reads_a_fixed_number_of_statements(
    factory: Factory, app: FastAPI
) -> None:
    coach = await factory.coach()
    customers = [await factory.customer() for _ in range(3)]
    for customer in customers:
        await factory.assign_coach(coach, customer)
    await grant_sessions(factory, customers, sessions=8)
    ids = [c.user_id for c in customers]
    await scheduled(factory, coach, coach, participants=ids[:1])
    few = await _statements_for_calendar(factory, app, coach)
    for day in range(3, 9):
        await scheduled(
            factory,
            coach,
            coach,
            startTime=at(factory, day, 10),
            endTime=at(factory, day, 11),
            participants=ids,
        )
    assert await _statements_for_calendar(factory, app, coach) == few
