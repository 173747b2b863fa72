"""Booking a place through HTTP: who may book what, capacity and the "full" answer that offers
the waitlist, entitlements spent, what a booked customer sees (their own booking, the join link
from a set time before the start); and on PostgreSQL, 200 bookings at once for 10 places."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import EntitlementEntry, ScheduledSession, SessionBooking
from tests.factories import Account, Factory, assert_error, with_settings
from tests.robustness.concurrency import at_once
from tests.scheduling.helpers import SESSIONS, at, balance, grant_sessions, scheduled, utc


async def _book(factory: Factory, customer: Account, session_id: str):  # type: ignore[no-untyped-def]
    return await factory.client.post(f"{SESSIONS}/{session_id}/bookings", headers=customer.headers)


async def test_customers_book_classes_and_their_coach_s_group_sessions(factory: Factory) -> None:
    coach = await factory.coach()
    ann, bob, carl, dora = [await factory.customer() for _ in range(4)]
    await factory.assign_coach(coach, ann)
    await grant_sessions(factory, [ann, bob, carl], sessions=2)
    yoga = await scheduled(factory, coach, coach, type="class", capacity=2)
    group = await scheduled(
        factory, coach, coach, startTime=at(factory, 3, 10), endTime=at(factory, 3, 11)
    )
    private = await scheduled(
        factory,
        coach,
        coach,
        type="one-to-one",
        capacity=1,
        startTime=at(factory, 4, 10),
        endTime=at(factory, 4, 11),
    )

    booked = await _book(factory, ann, yoga["id"])
    assert booked.status_code == 201, booked.text
    data = booked.json()["data"]
    assert (data["booked"], data["placesLeft"]) == (1, 1)
    assert [one["customerId"] for one in data["bookings"]] == [ann.user_id]
    assert await balance(factory, ann, ann) == 1
    assert_error(await _book(factory, ann, yoga["id"]), 409, code="already_booked")
    assert_error(await _book(factory, dora, yoga["id"]), 409, code="no_entitlement")
    assert (await _book(factory, bob, yoga["id"])).status_code == 201
    full = await _book(factory, carl, yoga["id"])
    assert_error(full, 409, code="session_full")
    assert f"POST /api/v1/sessions/{yoga['id']}/waitlist" in full.json()["message"]
    assert await balance(factory, carl, carl) == 2

    # A group session is for the coach's customers; a one-to-one is booked by the coach.
    assert (await _book(factory, ann, group["id"])).status_code == 201
    assert_error(await _book(factory, bob, group["id"]), 404, code="session_not_found")
    assert_error(await _book(factory, ann, private["id"]), 404, code="session_not_found")
    assert_error(await _book(factory, coach, yoga["id"]), 403)
    assert_error(await _book(factory, ann, "0" * 8 + "-0000-0000-0000-" + "0" * 12), 404)


@with_settings(join_link_visible_minutes=30, access_token_ttl_seconds=86_400)
async def test_a_customer_sees_their_own_booking_and_the_link_shortly_before(
    factory: Factory, clock: FrozenClock
) -> None:
    coach, admin = await factory.coach(), await factory.admin()
    ann, bob, eve = [await factory.customer() for _ in range(3)]
    await grant_sessions(factory, [ann, bob])
    start = factory.now.replace(microsecond=0) + timedelta(hours=5)
    yoga = await scheduled(
        factory,
        coach,
        coach,
        type="class",
        location="online",
        startTime=start.isoformat(),
        endTime=(start + timedelta(hours=1)).isoformat(),
    )
    for customer in (ann, bob):
        assert (await _book(factory, customer, yoga["id"])).status_code == 201
    path = f"{SESSIONS}/{yoga['id']}"

    seen = (await factory.client.get(path, headers=ann.headers)).json()["data"]
    assert [one["customerId"] for one in seen["bookings"]] == [ann.user_id]
    assert seen["joinLink"] is None
    by_coach = (await factory.client.get(path, headers=coach.headers)).json()["data"]
    assert len(by_coach["bookings"]) == 2
    assert by_coach["joinLink"] == yoga["joinLink"]
    by_admin = (await factory.client.get(path, headers=admin.headers)).json()["data"]
    assert (len(by_admin["bookings"]), by_admin["joinLink"]) == (2, None)
    assert_error(await factory.client.get(path, headers=eve.headers), 404)

    clock.advance(seconds=(utc(yoga["startTime"]) - clock.now()).total_seconds() - 30 * 60)
    seen = (await factory.client.get(path, headers=ann.headers)).json()["data"]
    assert seen["joinLink"] == yoga["joinLink"]
    # A session that has started takes no more bookings.
    clock.advance(minutes=31)
    assert_error(await _book(factory, eve, yoga["id"]), 422, code="session_not_bookable")


@pytest.mark.postgres_only
@with_settings(rate_limit_enabled=False, database_pool_size=30, database_pool_timeout_seconds=60)
async def test_200_bookings_at_once_confirm_exactly_the_10_places(
    factory: Factory, app: FastAPI
) -> None:
    coach = await factory.coach()
    customers = [await factory.customer(password=None) for _ in range(200)]
    await grant_sessions(factory, customers, sessions=1)
    yoga = await scheduled(factory, coach, coach, type="class", capacity=10)

    answers = await at_once(_book(factory, customer, yoga["id"]) for customer in customers)

    statuses = [answer.status_code for answer in answers]
    assert statuses.count(201) == 10
    assert statuses.count(409) == 190
    assert {answer.json()["code"] for answer in answers if answer.status_code == 409} == {
        "session_full"
    }
    winners = {customers[index].id for index, status in enumerate(statuses) if status == 201}
    async with app.state.sessionmaker() as session:
        sess = await session.get(ScheduledSession, uuid.UUID(yoga["id"]))
        assert sess is not None
        assert sess.booked == 10
        booked = set(
            await session.scalars(
                select(SessionBooking.customer_id).where(SessionBooking.session_id == sess.id)
            )
        )
        assert booked == winners
        uses = list(
            await session.execute(
                select(EntitlementEntry.customer_id, EntitlementEntry.amount).where(
                    EntitlementEntry.kind == "use"
                )
            )
        )
        assert sorted(uses) == sorted((winner, -1) for winner in winners)
        total = await session.scalar(select(func.sum(EntitlementEntry.amount)))
        assert total == 190
    for customer in customers[:20]:
        assert await balance(factory, customer, customer) == (0 if customer.id in winners else 1)


@pytest.mark.postgres_only
@with_settings(rate_limit_enabled=False)
async def test_two_overlapping_sessions_at_once_leave_one_on_the_coach_s_calendar(
    factory: Factory,
) -> None:
    coach, admin = await factory.coach(), await factory.admin()
    customer = await factory.customer()
    await grant_sessions(factory, [customer])
    await factory.assign_coach(coach, customer)

    async def create(staff: Account, minute: int):  # type: ignore[no-untyped-def]
        return await factory.client.post(
            SESSIONS,
            json={
                "type": "one-to-one",
                "startTime": at(factory, 2, 10, minute),
                "endTime": at(factory, 2, 11, minute),
                "timezone": "UTC",
                "coachId": coach.user_id,
                "location": "Studio",
                "capacity": 1,
                "participants": [],
            },
            headers=staff.headers,
        )

    answers = await at_once([create(coach, 0), create(admin, 20), create(admin, 40)])
    assert sorted(answer.status_code for answer in answers) == [201, 409, 409]
    winner = next(answer for answer in answers if answer.status_code == 201)
    for answer in answers:
        if answer.status_code == 409:
            assert_error(answer, 409, code="coach_busy")
            assert winner.json()["data"]["id"] in answer.json()["message"]
