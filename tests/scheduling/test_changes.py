"""PATCH /sessions/{id}: rescheduling (conflicts checked again, participants told), the coach's
cancellation (every entitlement returned, participants told), a customer's own cancellation
(in time: returned; inside the late-cancel window: spent), completion with attendance; each
audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import AuditEntry
from tests.factories import Factory, assert_error, with_settings
from tests.scheduling.helpers import (
    at,
    balance,
    change,
    grant_sessions,
    inbox,
    run_events,
    scheduled,
    utc,
)
from tests.training.helpers import refresh


async def _actions(factory: Factory, session_id: str) -> list[str]:
    async with factory.app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.resource_id == session_id)
            .order_by(AuditEntry.occurred_at)
        )
        return list(rows)


async def test_a_coach_reschedules_with_conflicts_checked_and_participants_told(
    factory: Factory,
) -> None:
    coach, ann, bob = await factory.coach(), await factory.customer(), await factory.customer()
    for customer in (ann, bob):
        await factory.assign_coach(coach, customer)
    await grant_sessions(factory, [ann, bob])
    moving = await scheduled(factory, coach, coach, participants=[ann.user_id, bob.user_id])
    blocking = await scheduled(
        factory, coach, coach, startTime=at(factory, 3, 10), endTime=at(factory, 3, 11)
    )
    await run_events(factory)

    # Onto the other session (within its buffer): refused, naming it.
    refused = await change(
        factory, coach, moving["id"], status="rescheduled", newTime=at(factory, 3, 9, 30)
    )
    assert_error(refused, 409, code="coach_busy")
    assert blocking["id"] in refused.json()["message"]

    moved = await change(
        factory,
        coach,
        moving["id"],
        status="rescheduled",
        newTime=at(factory, 20, 9).removesuffix("Z"),
    )
    assert moved.status_code == 200, moved.text
    data = moved.json()["data"]
    assert data["startTime"] == at(factory, 20, 7).replace("Z", ".000Z")
    assert data["endTime"] == at(factory, 20, 8).replace("Z", ".000Z")
    assert {one["status"] for one in data["bookings"]} == {"booked"}
    await run_events(factory)
    titles = sorted(one["title"] for one in await inbox(factory, ann))
    assert titles == ["Session moved", "Session scheduled"]
    moved_note = next(one for one in await inbox(factory, bob) if one["title"] == "Session moved")
    local = at(factory, 20, 9).removesuffix("Z").replace("T", " ")
    assert f"now starts {local}+02:00" in moved_note["body"]
    assert sorted(await _actions(factory, moving["id"])) == [
        "scheduling.session.created",
        "scheduling.session.rescheduled",
    ]
    # A participant busy at the new time refuses it too.
    other = await factory.coach()
    await factory.assign_coach(other, ann)
    taken = await scheduled(
        factory,
        other,
        other,
        startTime=at(factory, 21, 7),
        endTime=at(factory, 21, 8),
        participants=[ann.user_id],
    )
    refused = await change(
        factory, coach, moving["id"], status="rescheduled", newTime=at(factory, 21, 7, 30)
    )
    assert_error(refused, 409, code="participant_busy")
    assert taken["id"] in refused.json()["message"]


async def test_the_coach_cancels_and_every_entitlement_comes_back(factory: Factory) -> None:
    coach, ann, eve = await factory.coach(), await factory.customer(), await factory.customer()
    await factory.assign_coach(coach, ann)
    await grant_sessions(factory, [ann], sessions=1)
    sess = await scheduled(factory, coach, coach, participants=[ann.user_id])
    assert await balance(factory, ann, ann) == 0

    assert_error(await change(factory, eve, sess["id"], status="canceled"), 404)
    assert_error(
        await change(factory, ann, sess["id"], status="rescheduled", newTime=at(factory, 5, 10)),
        403,
        code="customers_only_cancel",
    )
    canceled = await change(
        factory, coach, sess["id"], status="canceled", cancellationReason="Coach is ill"
    )
    assert canceled.status_code == 200, canceled.text
    data = canceled.json()["data"]
    assert (data["status"], data["cancellationReason"], data["booked"]) == (
        "canceled",
        "Coach is ill",
        0,
    )
    assert data["bookings"][0]["status"] == "canceled"
    assert await balance(factory, ann, ann) == 1
    await run_events(factory)
    told = next(one for one in await inbox(factory, ann) if one["title"] == "Session canceled")
    assert "Coach is ill" in told["body"]
    assert_error(await change(factory, coach, sess["id"], status="canceled"), 409)
    # The freed time is the coach's again.
    await scheduled(factory, coach, coach)


@with_settings(late_cancel_hours=24)
async def test_a_customer_cancels_in_time_or_late(factory: Factory, clock: FrozenClock) -> None:
    coach, ann, bob = await factory.coach(), await factory.customer(), await factory.customer()
    await grant_sessions(factory, [ann, bob], sessions=2)
    start = factory.now.replace(microsecond=0) + timedelta(hours=30)
    yoga = await scheduled(
        factory,
        coach,
        coach,
        type="class",
        startTime=start.isoformat(),
        endTime=(start + timedelta(hours=1)).isoformat(),
    )
    for customer in (ann, bob):
        path = f"/api/v1/sessions/{yoga['id']}/bookings"
        assert (await factory.client.post(path, headers=customer.headers)).status_code == 201

    in_time = await change(factory, ann, yoga["id"], status="canceled")
    assert in_time.status_code == 200, in_time.text
    assert in_time.json()["data"]["bookings"][0]["status"] == "canceled"
    assert in_time.json()["data"]["booked"] == 1
    assert await balance(factory, ann, ann) == 2
    assert_error(await change(factory, ann, yoga["id"], status="canceled"), 409, code="not_booked")

    clock.advance(seconds=(utc(yoga["startTime"]) - clock.now()).total_seconds() - 3600)
    for account in (bob, coach):
        await refresh(factory, account)
    late = await change(factory, bob, yoga["id"], status="canceled")
    assert late.json()["data"]["bookings"][0]["status"] == "late_canceled"
    assert await balance(factory, bob, bob) == 1
    await run_events(factory)
    assert [one["title"] for one in await inbox(factory, coach)].count("Booking canceled") == 2


async def test_completion_records_attendance(factory: Factory, clock: FrozenClock) -> None:
    coach, ann, bob = await factory.coach(), await factory.customer(), await factory.customer()
    for customer in (ann, bob):
        await factory.assign_coach(coach, customer)
    await grant_sessions(factory, [ann, bob])
    sess = await scheduled(factory, coach, coach, participants=[ann.user_id, bob.user_id])
    assert_error(await change(factory, coach, sess["id"], status="completed"), 422)

    clock.advance(seconds=(utc(sess["endTime"]) - clock.now()).total_seconds())
    await refresh(factory, coach)
    coach_headers = coach.headers
    stranger = await factory.customer()
    body = {
        "status": "completed",
        "attendance": [{"customerId": stranger.user_id, "status": "no_show"}],
    }
    refused = await factory.client.patch(
        f"/api/v1/sessions/{sess['id']}", json=body, headers=coach_headers
    )
    assert_error(refused, 422, "attendance[0].customerId holds no place in this session")
    body["attendance"] = [{"customerId": bob.user_id, "status": "no_show"}]
    done = await factory.client.patch(
        f"/api/v1/sessions/{sess['id']}", json=body, headers=coach_headers
    )
    assert done.status_code == 200, done.text
    marks = {one["customerId"]: one["status"] for one in done.json()["data"]["bookings"]}
    assert marks == {ann.user_id: "attended", bob.user_id: "no_show"}
    assert done.json()["data"]["status"] == "completed"
    for bad in (
        {"status": "rescheduled"},
        {"status": "canceled", "newTime": at(factory, 9, 10)},
        {"status": "canceled", "attendance": body["attendance"]},
    ):
        assert_error(
            await factory.client.patch(
                f"/api/v1/sessions/{sess['id']}", json=bad, headers=coach_headers
            ),
            422,
        )
