"""Scheduling sessions through HTTP: who may put a session on which calendar, the body's
validation, time zones, join links, and conflicts of the coach (with the buffer) and of
participants; the error names the session in the way."""

from __future__ import annotations

from fitcoach.core.clock import FrozenClock
from tests.factories import Factory, assert_error, with_settings
from tests.scheduling.helpers import SESSIONS, at, balance, grant_sessions, schedule, scheduled


async def test_a_coach_schedules_their_customers_and_each_spends_a_session(
    factory: Factory,
) -> None:
    coach = await factory.coach()
    ann, bob = await factory.customer(), await factory.customer()
    for customer in (ann, bob):
        await factory.assign_coach(coach, customer)
    await grant_sessions(factory, [ann, bob], sessions=4)

    created = await schedule(
        factory,
        coach,
        coach,
        startTime=at(factory, 3, 9).removesuffix("Z"),
        endTime=at(factory, 3, 10).removesuffix("Z"),
        location="online",
        participants=[ann.user_id, bob.user_id, ann.user_id],
    )
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"{SESSIONS}/{created.json()['data']['id']}"
    session = created.json()["data"]
    # Wall-clock times are read in the session's zone (Cairo is UTC+2 in winter).
    assert session["startTime"].endswith("T07:00:00.000Z")
    assert session["localStartTime"].endswith("T09:00:00+02:00")
    assert session["localEndTime"].endswith("T10:00:00+02:00")
    assert session["joinLink"].startswith("https://meet.jit.si/fitcoach-")
    assert (session["capacity"], session["booked"], session["placesLeft"]) == (8, 2, 6)
    assert sorted(one["customerId"] for one in session["bookings"]) == sorted(
        [ann.user_id, bob.user_id]
    )
    assert {one["status"] for one in session["bookings"]} == {"booked"}
    assert await balance(factory, ann, ann) == 3
    ledger = await factory.client.get(
        f"/api/v1/customers/{ann.user_id}/entitlements", headers=coach.headers
    )
    kinds = [entry["kind"] for entry in ledger.json()["data"]["items"]]
    assert sorted(kinds) == ["grant", "use"]

    # A given join link is kept; a consultation needs no entitlement.
    carl = await factory.customer()
    await factory.assign_coach(coach, carl)
    consultation = await scheduled(
        factory,
        coach,
        coach,
        type="consultation",
        capacity=1,
        startTime=at(factory, 4, 10),
        endTime=at(factory, 4, 10, 30),
        location="online",
        joinLink="https://zoom.example/j/123",
        participants=[carl.user_id],
    )
    assert consultation["joinLink"] == "https://zoom.example/j/123"
    assert await balance(factory, carl, carl) == 0


async def test_who_may_schedule_on_which_calendar(factory: Factory) -> None:
    coach, other_coach, admin = await factory.coach(), await factory.coach(), await factory.admin()
    customer, stranger = await factory.customer(), await factory.customer()
    await factory.assign_coach(coach, customer)
    await grant_sessions(factory, [customer, stranger])

    assert_error(await schedule(factory, coach, other_coach), 403, code="not_your_calendar")
    assert_error(await schedule(factory, customer, coach), 403)
    # A coach schedules only their own customers; an unknown id is no better.
    refused = await schedule(factory, coach, coach, participants=[stranger.user_id])
    assert_error(refused, 404, "participants[0] is not a customer you may schedule")
    refused = await schedule(
        factory, coach, coach, participants=[customer.user_id, other_coach.user_id]
    )
    assert_error(refused, 404, "participants[1] is not a customer you may schedule")
    # Admins schedule on any coach's calendar, with any customer; the coach must be one.
    by_admin = await scheduled(factory, admin, other_coach, participants=[stranger.user_id])
    assert by_admin["coachId"] == other_coach.user_id
    assert by_admin["joinLink"] is None
    assert_error(await schedule(factory, admin, customer), 422, code="not_a_coach")


async def test_a_booking_without_entitlement_is_refused_with_a_code(factory: Factory) -> None:
    coach, customer = await factory.coach(), await factory.customer()
    await factory.assign_coach(coach, customer)
    refused = await schedule(factory, coach, coach, participants=[customer.user_id])
    assert_error(refused, 409, code="no_entitlement")
    assert customer.user_id in refused.json()["message"]
    # Nothing of the refused session was kept.
    assert (await schedule(factory, coach, coach)).status_code == 201


async def test_the_body_is_validated_naming_the_field(factory: Factory, clock: FrozenClock) -> None:
    coach = await factory.coach()
    cases = [
        ({"endTime": at(factory, 2, 9)}, "endTime must be after startTime"),
        (
            {"startTime": at(factory, -1, 10), "endTime": at(factory, -1, 11)},
            "startTime must be in the future",
        ),
        ({"endTime": at(factory, 3, 10)}, "A session lasts at most 12 hours: move endTime closer"),
        ({"timezone": "Mars/Olympus"}, None),
        ({"type": "one-to-one", "capacity": 2}, "capacity of a one-to-one session must be 1"),
    ]
    for fields, message in cases:
        assert_error(await schedule(factory, coach, coach, **fields), 422, message)
    response = await schedule(factory, coach, coach, type="yoga")
    assert_error(response, 422)
    assert "type" in response.json()["message"]
    response = await schedule(factory, coach, coach, joinLink="ftp://x")
    assert_error(response, 422)
    # 02:30 on the night Europe/Berlin springs forward does not exist there.
    gap = await schedule(
        factory,
        coach,
        coach,
        timezone="Europe/Berlin",
        startTime="2027-03-28T02:30:00",
        endTime="2027-03-28T04:00:00",
    )
    assert_error(gap, 422, "startTime does not exist in Europe/Berlin (the clocks skip it)")


@with_settings(session_buffer_minutes=15)
async def test_the_coach_is_never_in_two_sessions_and_keeps_the_buffer(
    factory: Factory,
) -> None:
    coach, admin = await factory.coach(), await factory.admin()
    first = await scheduled(
        factory, coach, coach, startTime=at(factory, 2, 10), endTime=at(factory, 2, 11)
    )
    for start, end in [
        (at(factory, 2, 10, 30), at(factory, 2, 11, 30)),  # overlaps
        (at(factory, 2, 11, 10), at(factory, 2, 12)),  # inside the buffer after
        (at(factory, 2, 9), at(factory, 2, 9, 50)),  # inside the buffer before
    ]:
        refused = await schedule(factory, admin, coach, startTime=start, endTime=end)
        assert_error(refused, 409, code="coach_busy")
        assert first["id"] in refused.json()["message"]
        assert "15 minutes apart" in refused.json()["message"]
    await scheduled(
        factory, coach, coach, startTime=at(factory, 2, 11, 15), endTime=at(factory, 2, 12)
    )
    await scheduled(
        factory, coach, coach, startTime=at(factory, 2, 9), endTime=at(factory, 2, 9, 45)
    )
    # Another coach's calendar is theirs.
    other = await factory.coach()
    await scheduled(factory, other, other, startTime=at(factory, 2, 10), endTime=at(factory, 2, 11))


async def test_a_participant_is_never_in_two_sessions(factory: Factory) -> None:
    coach, other_coach = await factory.coach(), await factory.coach()
    customer = await factory.customer()
    for one in (coach, other_coach):
        await factory.assign_coach(one, customer)
    await grant_sessions(factory, [customer])
    first = await scheduled(factory, coach, coach, participants=[customer.user_id])

    refused = await schedule(
        factory,
        other_coach,
        other_coach,
        startTime=at(factory, 2, 10, 30),
        endTime=at(factory, 2, 11, 30),
        participants=[customer.user_id],
    )
    assert_error(refused, 409, code="participant_busy")
    assert first["id"] in refused.json()["message"]
    assert customer.user_id in refused.json()["message"]
    # Back to back is fine for a customer (the buffer is the coach's).
    await scheduled(
        factory,
        other_coach,
        other_coach,
        startTime=at(factory, 2, 11),
        endTime=at(factory, 2, 12),
        participants=[customer.user_id],
    )
    assert await balance(factory, customer, customer) == 2
