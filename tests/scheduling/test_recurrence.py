"""Recurring sessions by RFC 5545 rules: one session per occurrence at the same wall-clock time
in the session's zone, across a change of the clocks (Africa/Cairo's summer time), sharing a
series id; conflicts refuse the whole series; rules without an end are refused."""

from __future__ import annotations

from fitcoach.core.clock import FrozenClock
from tests.factories import Factory, assert_error
from tests.scheduling.helpers import SESSIONS, schedule, scheduled
from tests.training.helpers import set_local_time

CAIRO = "Africa/Cairo"


async def test_a_weekly_0700_class_in_cairo_stays_at_0700_across_summer_time(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2027-04-01T12:00:00", CAIRO)
    coach = await factory.coach()
    first = await scheduled(
        factory,
        coach,
        coach,
        type="class",
        capacity=12,
        timezone=CAIRO,
        startTime="2027-04-16T07:00:00",
        endTime="2027-04-16T08:00:00",
        recurrence="FREQ=WEEKLY;COUNT=5",
    )
    assert first["seriesId"] is not None
    listed = await factory.client.get(
        SESSIONS,
        params={"start": "2027-04-01T00:00:00Z", "end": "2027-06-01T00:00:00Z", "timezone": CAIRO},
        headers=coach.headers,
    )
    items = listed.json()["data"]["items"]
    assert len(items) == 5
    assert {one["seriesId"] for one in items} == {first["seriesId"]}
    # The clocks go forward on 30 April 2027: 05:00 UTC before, 04:00 UTC after, 07:00 local.
    assert [one["startTime"][5:16] for one in items] == [
        "04-16T05:00",
        "04-23T05:00",
        "04-30T04:00",
        "05-07T04:00",
        "05-14T04:00",
    ]
    assert {one["localStartTime"][11:] for one in items} == {"07:00:00+02:00", "07:00:00+03:00"}
    assert {one["localStartTime"][11:16] for one in items} == {"07:00"}


async def test_a_series_is_refused_whole_on_a_conflict_or_without_an_end(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2027-04-01T12:00:00", CAIRO)
    coach = await factory.coach()
    blocking = await scheduled(
        factory,
        coach,
        coach,
        timezone=CAIRO,
        startTime="2027-04-23T07:30:00",
        endTime="2027-04-23T08:30:00",
    )
    body = {
        "type": "class",
        "timezone": CAIRO,
        "startTime": "2027-04-16T07:00:00",
        "endTime": "2027-04-16T08:00:00",
    }
    refused = await schedule(factory, coach, coach, **body, recurrence="FREQ=WEEKLY;COUNT=3")
    assert_error(refused, 409, code="coach_busy")
    assert blocking["id"] in refused.json()["message"]
    listed = await factory.client.get(
        SESSIONS,
        params={"start": "2027-04-01T00:00:00Z", "end": "2027-06-01T00:00:00Z"},
        headers=coach.headers,
    )
    assert [one["id"] for one in listed.json()["data"]["items"]] == [blocking["id"]]

    endless = await schedule(factory, coach, coach, **body, recurrence="FREQ=DAILY")
    assert_error(endless, 422, "recurrence makes more than 52 sessions: give COUNT or UNTIL")
    assert_error(
        await schedule(factory, coach, coach, **body, recurrence="FREQ=SOMETIMES"),
        422,
        code="invalid_recurrence",
    )
