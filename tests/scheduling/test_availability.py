"""Coach availability and free slots through HTTP: weekly hours in the coach's zone, time off,
sessions with their buffer taken out; who may read and set them."""

from __future__ import annotations

from fitcoach.core.clock import FrozenClock
from tests.factories import Account, Factory, assert_error, with_settings
from tests.scheduling.helpers import grant_sessions, schedule, scheduled
from tests.training.helpers import set_local_time

CAIRO = "Africa/Cairo"


def _path(coach: Account, what: str = "availability") -> str:
    return f"/api/v1/coaches/{coach.user_id}/{what}"


@with_settings(session_buffer_minutes=15)
async def test_slots_are_the_weekly_hours_less_time_off_and_sessions(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2027-01-03T08:00:00", CAIRO)  # a Sunday
    coach, customer, admin = await factory.coach(), await factory.customer(), await factory.admin()
    await factory.assign_coach(coach, customer)
    body = {
        "timezone": CAIRO,
        "weeklyHours": {
            "monday": [{"start": "09:00", "end": "12:00"}],
            "tuesday": [{"start": "09:00", "end": "11:00"}],
        },
        "timeOff": [{"start": "2027-01-05T00:00:00+02:00", "end": "2027-01-06T00:00:00+02:00"}],
    }
    saved = await factory.client.put(_path(coach), json=body, headers=coach.headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["data"]["weeklyHours"]["monday"] == [{"start": "09:00", "end": "12:00"}]
    read = await factory.client.get(_path(coach), headers=customer.headers)
    assert read.json()["data"]["timeOff"][0]["start"] == "2027-01-04T22:00:00.000Z"

    # Monday 10:00-11:00 local is taken, and with the 15-minute buffer so are the half hours
    # touching it: 09:00-09:30 and 11:30-12:00 remain. Tuesday is time off.
    await scheduled(
        factory,
        coach,
        coach,
        type="one-to-one",
        capacity=1,
        timezone=CAIRO,
        startTime="2027-01-04T10:00:00",
        endTime="2027-01-04T11:00:00",
    )
    slots = await factory.client.get(
        _path(coach, "slots"),
        params={
            "from": "2027-01-03T00:00:00",
            "to": "2027-01-10T00:00:00",
            "timezone": "Europe/London",
            "minutes": 30,
        },
        headers=customer.headers,
    )
    assert slots.status_code == 200, slots.text
    data = slots.json()["data"]
    assert data["timezone"] == "Europe/London"
    assert [one["localStartTime"] for one in data["items"]] == [
        "2027-01-04T07:00:00+00:00",
        "2027-01-04T09:30:00+00:00",
    ]
    refused = await factory.client.get(
        _path(coach, "slots"),
        params={"from": "2027-01-10T00:00:00Z", "to": "2027-01-03T00:00:00Z"},
        headers=admin.headers,
    )
    assert_error(refused, 422, "to must be after from")


async def test_who_may_read_and_set_availability(factory: Factory) -> None:
    coach, other_coach = await factory.coach(), await factory.coach()
    customer, stranger, admin = (
        await factory.customer(),
        await factory.customer(),
        await factory.admin(),
    )
    await factory.assign_coach(coach, customer)
    body = {"timezone": "UTC", "weeklyHours": {"friday": [{"start": "08:00", "end": "10:00"}]}}
    assert (
        await factory.client.put(_path(coach), json=body, headers=admin.headers)
    ).status_code == 200
    assert (await factory.client.get(_path(coach), headers=customer.headers)).status_code == 200
    for outsider in (stranger, other_coach):
        assert_error(await factory.client.get(_path(coach), headers=outsider.headers), 404)
    assert_error(await factory.client.put(_path(coach), json=body, headers=customer.headers), 403)
    assert_error(await factory.client.get(_path(customer), headers=admin.headers), 404)
    for bad in (
        {**body, "timezone": "Atlantis/City"},
        {"timezone": "UTC", "weeklyHours": {"friday": [{"start": "10:00", "end": "08:00"}]}},
        {
            "timezone": "UTC",
            "weeklyHours": {
                "friday": [{"start": "08:00", "end": "10:00"}, {"start": "09:00", "end": "11:00"}]
            },
        },
        {"timezone": "UTC", "weeklyHours": {"friday": [{"start": "8am", "end": "10:00"}]}},
    ):
        assert_error(await factory.client.put(_path(coach), json=bad, headers=coach.headers), 422)


async def test_a_customer_books_a_one_to_one_with_their_coach_inside_a_free_slot(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2027-01-03T08:00:00", CAIRO)
    coach, other_coach = await factory.coach(), await factory.coach()
    customer = await factory.customer()
    await factory.assign_coach(coach, customer)
    await grant_sessions(factory, [customer], sessions=1)
    hours = {"timezone": CAIRO, "weeklyHours": {"monday": [{"start": "09:00", "end": "12:00"}]}}
    assert (await factory.client.put(_path(coach), json=hours, headers=coach.headers)).is_success
    body = {
        "type": "one-to-one",
        "timezone": CAIRO,
        "startTime": "2027-01-04T09:00:00",
        "endTime": "2027-01-04T10:00:00",
        "location": "online",
        "capacity": 1,
    }

    async def book(**fields: object):  # type: ignore[no-untyped-def]
        return await schedule(factory, customer, coach, **{**body, **fields})

    assert_error(
        await book(startTime="2027-01-04T12:00:00", endTime="2027-01-04T13:00:00"),
        409,
        code="outside_availability",
    )
    assert_error(await book(type="group", capacity=4), 403, code="customers_book_one_to_one")
    assert_error(await book(coachId=other_coach.user_id), 404, code="coach_not_found")
    booked = await book()
    assert booked.status_code == 201, booked.text
    data = booked.json()["data"]
    assert [one["customerId"] for one in data["bookings"]] == [customer.user_id]
    assert data["joinLink"] is None  # shown from an hour before the start
    assert_error(
        await book(startTime="2027-01-04T11:00:00", endTime="2027-01-04T12:00:00"),
        409,
        code="no_entitlement",
    )
    # The slot is taken now.
    slots = await factory.client.get(
        _path(coach, "slots"),
        params={"from": "2027-01-04T00:00:00Z", "to": "2027-01-05T00:00:00Z"},
        headers=customer.headers,
    )
    assert [one["startTime"] for one in slots.json()["data"]["items"]] == [
        "2027-01-04T09:00:00.000Z"
    ]
