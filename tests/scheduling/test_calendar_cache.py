"""A coach's calendar pages are served from the worker's read cache on PostgreSQL, and kept exact
by the change feed: a session announces its coach, a booking its session's coach (migration
0030), whoever writes them. Each reader still gets their own view of the cached page: the join
link is the coach's, never an admin's."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI

from tests.conftest import asyncpg_dsn
from tests.db.test_read_cache import statements_run
from tests.factories import Account, Factory
from tests.scheduling.helpers import SESSIONS, at, grant_sessions, scheduled

pytestmark = pytest.mark.postgres_only


async def _calendar(factory: Factory, account: Account, **params: Any) -> list[dict[str, Any]]:
    query = {"start": at(factory, 0, 0), "end": at(factory, 30, 0), **params}
    response = await factory.client.get(SESSIONS, params=query, headers=account.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["items"]
    return items


async def behind_the_apps_back(database_url: str, statement: str, *args: Any) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.execute(statement, *args)
    finally:
        await connection.close()


async def test_a_coachs_repeated_calendar_read_sends_no_query(
    factory: Factory, app: FastAPI
) -> None:
    coach, admin = await factory.coach(), await factory.admin()
    await scheduled(factory, coach, coach, location="online", joinLink="https://meet.example/1")
    first = await _calendar(factory, coach)
    with statements_run(app) as statements:
        again = await _calendar(factory, coach)
    assert statements == []
    assert again == first
    assert first[0]["joinLink"] == "https://meet.example/1"
    # The admin reads the same cached page, and sees it as an admin: no join link.
    seen_by_admin = await _calendar(factory, admin, coachId=coach.user_id)
    assert [one["id"] for one in seen_by_admin] == [first[0]["id"]]
    assert seen_by_admin[0]["joinLink"] is None


async def test_bookings_and_changes_reach_the_cached_calendar(
    factory: Factory, app: FastAPI, database_url: str
) -> None:
    coach, other_coach = await factory.coach(), await factory.coach()
    ann = await factory.customer()
    await grant_sessions(factory, [ann])
    session = await scheduled(factory, coach, coach, type="class", capacity=5)
    theirs = await scheduled(factory, other_coach, other_coach)
    assert (await _calendar(factory, coach))[0]["booked"] == 0
    assert (await _calendar(factory, other_coach))[0]["id"] == theirs["id"]

    # Through the API: a booking updates the session and adds a booking row.
    booked = await factory.client.post(f"{SESSIONS}/{session['id']}/bookings", headers=ann.headers)
    assert booked.status_code == 201, booked.text
    shown = (await _calendar(factory, coach))[0]
    assert (shown["booked"], [one["customerId"] for one in shown["bookings"]]) == (
        1,
        [ann.user_id],
    )

    # Behind the app's back: a booking row alone (its session untouched) still reaches the
    # coach's page, through the session it belongs to.
    await behind_the_apps_back(
        database_url,
        "UPDATE session_bookings SET status = 'no_show' WHERE customer_id = $1",
        ann.id,
    )
    await app.state.change_feed.catch_up()
    assert (await _calendar(factory, coach))[0]["bookings"][0]["status"] == "no_show"

    await behind_the_apps_back(
        database_url,
        "UPDATE scheduled_sessions SET location = 'Studio B' WHERE coach_id = $1",
        coach.id,
    )
    # The other coach's cached page is untouched by this coach's changes.
    with statements_run(app) as statements:
        assert (await _calendar(factory, other_coach))[0]["location"] == "Studio A"
    assert statements == []
    await app.state.change_feed.catch_up()
    assert (await _calendar(factory, coach))[0]["location"] == "Studio B"

    # A session handed to another coach leaves the first calendar and joins the second.
    await behind_the_apps_back(
        database_url,
        "UPDATE scheduled_sessions SET coach_id = $1, start_at = start_at + interval '3 days', "
        "end_at = end_at + interval '3 days', coach_busy_until = coach_busy_until + "
        "interval '3 days' WHERE id = $2",
        other_coach.id,
        session["id"],
    )
    await app.state.change_feed.catch_up()
    assert await _calendar(factory, coach) == []
    assert {one["id"] for one in await _calendar(factory, other_coach)} == {
        theirs["id"],
        session["id"],
    }
