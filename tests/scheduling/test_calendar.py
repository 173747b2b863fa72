"""GET /sessions: the caller's calendar (a customer's bookings, a coach's sessions, an admin's
choice), in the requested time zone, over a required range of at most 92 days, paginated."""

from __future__ import annotations

from typing import Any

from tests.factories import Account, Factory, assert_error
from tests.scheduling.helpers import SESSIONS, at, grant_sessions, scheduled


async def _calendar(factory: Factory, account: Account, **params: Any):  # type: ignore[no-untyped-def]
    query = {"start": at(factory, 0, 0), "end": at(factory, 30, 0), **params}
    return await factory.client.get(SESSIONS, params=query, headers=account.headers)


async def test_each_caller_sees_their_own_calendar_in_their_zone(factory: Factory) -> None:
    coach, other_coach, admin = await factory.coach(), await factory.coach(), await factory.admin()
    ann, bob = await factory.customer(), await factory.customer()
    await factory.assign_coach(coach, ann)
    await grant_sessions(factory, [ann, bob])
    first = await scheduled(factory, coach, coach, participants=[ann.user_id])
    second = await scheduled(
        factory,
        coach,
        coach,
        type="class",
        startTime=at(factory, 5, 18),
        endTime=at(factory, 5, 19),
    )
    theirs = await scheduled(factory, other_coach, other_coach, participants=[])
    late = await scheduled(
        factory, coach, coach, startTime=at(factory, 40, 10), endTime=at(factory, 40, 11)
    )

    mine = await _calendar(factory, coach, timezone="Asia/Tokyo", pageSize=1)
    assert mine.status_code == 200, mine.text
    data = mine.json()["data"]
    assert data["timezone"] == "Asia/Tokyo"
    assert data["pagination"]["total"] == 2
    assert [one["id"] for one in data["items"]] == [first["id"]]
    assert data["items"][0]["localStartTime"].endswith("T19:00:00+09:00")
    page_two = (await _calendar(factory, coach, pageSize=1, page=2)).json()["data"]
    assert [one["id"] for one in page_two["items"]] == [second["id"]]

    booked = (await _calendar(factory, ann)).json()["data"]["items"]
    assert [one["id"] for one in booked] == [first["id"]]
    assert [one["customerId"] for one in booked[0]["bookings"]] == [ann.user_id]
    assert (await _calendar(factory, bob)).json()["data"]["items"] == []

    everything = (await _calendar(factory, admin)).json()["data"]["items"]
    assert {one["id"] for one in everything} == {first["id"], second["id"], theirs["id"]}
    one_coach = (await _calendar(factory, admin, coachId=other_coach.user_id)).json()["data"]
    assert [one["id"] for one in one_coach["items"]] == [theirs["id"]]
    assert late["id"] not in {one["id"] for one in everything}

    canceled = (await _calendar(factory, coach, status="canceled")).json()["data"]
    assert canceled["items"] == []
    assert_error(await _calendar(factory, coach, coachId=other_coach.user_id), 403)
    assert_error(await _calendar(factory, ann, role="coach"), 403, "role=coach is for coaches")


async def test_the_range_is_required_ordered_and_bounded(factory: Factory) -> None:
    coach = await factory.coach()
    missing = await factory.client.get(
        SESSIONS, params={"start": at(factory, 0, 0)}, headers=coach.headers
    )
    assert_error(missing, 422)
    assert "end" in missing.json()["message"]
    reversed_range = await _calendar(factory, coach, end=at(factory, -1, 0))
    assert_error(reversed_range, 422, "end must be after start")
    too_long = await _calendar(factory, coach, end=at(factory, 93, 0))
    assert_error(too_long, 422, "end must be at most 92 days after start")
    bad = await _calendar(factory, coach, start="yesterday")
    assert_error(bad, 422)
    assert "start" in bad.json()["message"]
    assert_error(await _calendar(factory, coach, timezone="Nowhere/Land"), 422)
