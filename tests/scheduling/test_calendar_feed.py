"""The private ICS feed, parsed back with the icalendar library: the user's sessions with their
zone as VTIMEZONE, SEQUENCE raised by a change, STATUS:CANCELLED after a cancellation; the
token rotates and the old address then answers 404."""

from __future__ import annotations

import icalendar

from tests.factories import Account, Factory, assert_error
from tests.scheduling.helpers import at, change, grant_sessions, scheduled

CAIRO = "Africa/Cairo"


async def _token(factory: Factory, account: Account) -> str:
    response = await factory.client.post("/api/v1/calendar/token", headers=account.headers)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["url"] == f"/api/v1/calendar/{data['token']}.ics"
    token: str = data["token"]
    return token


async def _feed(factory: Factory, token: str) -> icalendar.Calendar:
    response = await factory.client.get(f"/api/v1/calendar/{token}.ics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(one["uid"]).split("@")[0]: one for one in calendar.walk("VEVENT")}


async def test_the_feed_carries_sessions_updates_and_cancellations(factory: Factory) -> None:
    coach, customer = await factory.coach(), await factory.customer()
    await factory.assign_coach(coach, customer)
    await grant_sessions(factory, [customer])
    kept = await scheduled(factory, coach, coach, participants=[customer.user_id])
    dropped = await scheduled(
        factory,
        coach,
        coach,
        participants=[customer.user_id],
        startTime=at(factory, 4, 10),
        endTime=at(factory, 4, 11),
    )
    await scheduled(factory, coach, coach, startTime=at(factory, 5, 10), endTime=at(factory, 5, 11))
    token = await _token(factory, customer)

    events = _events(await _feed(factory, token))
    assert set(events) == {kept["id"], dropped["id"]}
    first = events[kept["id"]]
    assert first.decoded("dtstart").tzinfo is not None
    assert str(first["dtstart"].params["TZID"]) == CAIRO
    assert first.decoded("dtstart").isoformat() == kept["localStartTime"]
    assert int(first["sequence"]) == 0
    assert str(first["status"]) == "CONFIRMED"
    calendar = await _feed(factory, token)
    assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == [CAIRO]

    await change(factory, coach, kept["id"], status="rescheduled", newTime=at(factory, 3, 12))
    await change(factory, coach, dropped["id"], status="canceled", cancellationReason="Ill")
    events = _events(await _feed(factory, token))
    assert int(events[kept["id"]]["sequence"]) == 1
    assert events[kept["id"]].decoded("dtstart").hour == 14  # 12:00 UTC in Cairo
    assert str(events[dropped["id"]]["status"]) == "CANCELLED"
    assert int(events[dropped["id"]]["sequence"]) == 1

    # The coach's own feed has all three; rotating ends the customer's old address.
    assert len(_events(await _feed(factory, await _token(factory, coach)))) == 3
    fresh = await _token(factory, customer)
    assert_error(await factory.client.get(f"/api/v1/calendar/{token}.ics"), 404)
    assert len(_events(await _feed(factory, fresh))) == 2
