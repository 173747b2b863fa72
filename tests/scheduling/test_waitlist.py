"""Waitlists through HTTP: joining a full session (by whom, refusals), positions, leaving, the
offer a freed place makes to the first in line (push and live stream, the admin's claim window),
claiming it like a booking, an expired offer passed on by the job, the coach's cancellation
closing the line; the estimate learnt from seeded history; and on PostgreSQL two places freed
at once (two offers, never two bookings of one place) and a claim racing the expiry job."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import ScheduledSession, SessionBooking, StreamEvent, WaitlistEntry
from fitcoach.scheduling.sessions.offers import expire_offers
from tests.factories import Account, Factory, assert_error, with_settings
from tests.robustness.concurrency import at_once
from tests.scheduling.helpers import (
    SESSIONS,
    balance,
    change,
    grant_sessions,
    inbox,
    run_events,
    scheduled,
    utc,
)


async def _join(factory: Factory, actor: Account, session_id: str, customer: Account):  # type: ignore[no-untyped-def]
    return await factory.client.post(
        f"{SESSIONS}/{session_id}/waitlist",
        json={"customerId": customer.user_id},
        headers=actor.headers,
    )


async def _place(factory: Factory, customer: Account, session_id: str) -> httpx.Response:
    return await factory.client.get(f"{SESSIONS}/{session_id}/waitlist", headers=customer.headers)


async def _claim(factory: Factory, customer: Account, session_id: str) -> httpx.Response:
    return await factory.client.post(
        f"{SESSIONS}/{session_id}/waitlist/claim", headers=customer.headers
    )


async def _book(factory: Factory, customer: Account, session_id: str) -> httpx.Response:
    return await factory.client.post(f"{SESSIONS}/{session_id}/bookings", headers=customer.headers)


async def _full_class(
    factory: Factory, coach: Account, booked: list[Account], **fields: Any
) -> dict[str, Any]:
    session = await scheduled(factory, coach, coach, type="class", capacity=len(booked), **fields)
    for customer in booked:
        assert (await _book(factory, customer, session["id"])).status_code == 201
    return session


async def _entries(app: FastAPI, session_id: str) -> dict[uuid.UUID, str]:
    async with app.state.sessionmaker() as session:
        rows = await session.execute(
            select(WaitlistEntry.customer_id, WaitlistEntry.status).where(
                WaitlistEntry.session_id == uuid.UUID(session_id)
            )
        )
        return dict(rows.tuples().all())


async def _seats(app: FastAPI, session_id: str) -> tuple[int, int]:
    async with app.state.sessionmaker() as session:
        sess = await session.get(ScheduledSession, uuid.UUID(session_id))
        assert sess is not None
        return sess.booked, sess.held


@with_settings(access_token_ttl_seconds=86_400)
async def test_a_full_session_s_line_offers_claims_and_passes_on(
    factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    coach, admin, other_coach = await factory.coach(), await factory.admin(), await factory.coach()
    ann, bob, carl, w1, w2, w3 = [await factory.customer() for _ in range(6)]
    await grant_sessions(factory, [ann, bob, carl, w1, w2, w3])
    yoga = await scheduled(factory, coach, coach, type="class", capacity=2)
    sid = yoga["id"]
    assert_error(await _join(factory, w1, sid, w1), 409, code="places_left")
    for customer in (ann, bob):
        assert (await _book(factory, customer, sid)).status_code == 201

    joined = await _join(factory, w1, sid, w1)
    assert joined.status_code == 201, joined.text
    place = joined.json()["data"]
    assert (place["position"], place["status"], place["offerExpiresAt"]) == (1, "waiting", None)
    assert place["estimatedConfirmation"] is None
    assert "No similar session" in place["estimateUnavailableReason"]
    assert (await _join(factory, w2, sid, w2)).json()["data"]["position"] == 2
    assert_error(await _join(factory, w1, sid, w1), 409, code="already_waitlisted")
    assert_error(await _join(factory, ann, sid, ann), 409, code="already_booked")
    # Nobody puts someone else in line but their coach or an admin; a stranger's session is
    # not found.
    assert_error(await _join(factory, w1, sid, w3), 404, code="customer_not_found")
    assert_error(await _join(factory, coach, sid, w3), 404, code="customer_not_found")
    assert_error(await _join(factory, other_coach, sid, w3), 404, code="session_not_found")
    assert_error(await _place(factory, w3, sid), 404, code="not_on_waitlist")
    assert_error(await _place(factory, coach, sid), 403)

    # w2 leaves; w3 (put in line by an admin) comes after w1.
    left = await factory.client.delete(f"{SESSIONS}/{sid}/waitlist", headers=w2.headers)
    assert left.status_code == 200, left.text
    assert (await _join(factory, admin, sid, w3)).json()["data"]["position"] == 2
    assert_error(await _claim(factory, w3, sid), 409, code="no_offer_yet")
    assert "number 2 in line" in (await _claim(factory, w3, sid)).json()["message"]

    # The admin's claim window; a place freed goes to w1 and is held from everyone else.
    policy = {"claimMinutes": 30, "minimumClaimMinutes": 0}
    put = await factory.client.put(
        "/api/v1/admin/settings/waitlist", json=policy, headers=admin.headers
    )
    assert_error(put, 422)
    policy["minimumClaimMinutes"] = 10
    put = await factory.client.put(
        "/api/v1/admin/settings/waitlist", json=policy, headers=admin.headers
    )
    assert put.status_code == 200, put.text
    assert (await change(factory, ann, sid, status="canceled")).status_code == 200
    offered = (await _place(factory, w1, sid)).json()["data"]
    assert offered["status"] == "offered"
    assert utc(offered["offerExpiresAt"]) == factory.now + timedelta(minutes=30)
    assert (await _place(factory, w3, sid)).json()["data"]["position"] == 2
    assert_error(await _book(factory, carl, sid), 409, code="session_full")
    assert (await factory.client.get(f"{SESSIONS}/{sid}", headers=coach.headers)).json()["data"][
        "placesLeft"
    ] == 0

    # Told by push (urgent) and on the live stream.
    await run_events(factory)
    told = [one for one in await inbox(factory, w1) if one["title"] == "A place is yours to claim"]
    assert len(told) == 1
    assert told[0]["data"]["sessionId"] == sid
    async with app.state.sessionmaker() as session:
        kinds = list(
            await session.scalars(select(StreamEvent.kind).where(StreamEvent.user_id == w1.id))
        )
    assert "waitlist.offer" in kinds

    claimed = await _claim(factory, w1, sid)
    assert claimed.status_code == 201, claimed.text
    assert [one["customerId"] for one in claimed.json()["data"]["bookings"]] == [w1.user_id]
    assert await balance(factory, w1, w1) == 3
    assert await _seats(app, sid) == (2, 0)
    assert_error(await _place(factory, w1, sid), 404, code="not_on_waitlist")

    # bob's place goes to w3, who lets the offer run out: the job passes it on (nobody is
    # left in line, so the place is free again for anyone).
    assert (await change(factory, bob, sid, status="canceled")).status_code == 200
    assert (await _place(factory, w3, sid)).json()["data"]["status"] == "offered"
    clock.advance(minutes=29)
    async with app.state.sessionmaker() as session, session.begin():
        assert await expire_offers(session, clock.now()) == 0
    clock.advance(minutes=1)
    async with app.state.sessionmaker() as session, session.begin():
        assert await expire_offers(session, clock.now()) == 1
    assert_error(await _claim(factory, w3, sid), 409, code="offer_expired")
    assert (await _entries(app, sid))[w3.id] == "expired"
    assert await _seats(app, sid) == (1, 0)
    assert (await _book(factory, carl, sid)).status_code == 201

    # The coach calls the session off: the line closes.
    assert (await _join(factory, w2, sid, w2)).status_code == 201
    assert (await change(factory, coach, sid, status="canceled")).status_code == 200
    assert (await _entries(app, sid))[w2.id] == "closed"
    assert_error(await _join(factory, w3, sid, w3), 422, code="session_not_bookable")


async def _seed_history(factory: Factory, coach: Account, start: datetime) -> None:
    """Past classes of the coach, with customer cancellations `lead` hours before each start:
    [30, 10], [20, 5], [40], [] (and ignored: a called-off class, and a group session)."""
    customers = [await factory.customer(password=None) for _ in range(3)]
    past = [
        ("class", "completed", [30, 10]),
        ("class", "completed", [20, 5]),
        ("class", "completed", [40]),
        ("class", "completed", []),
        ("class", "canceled", [30, 10, 2]),
        ("group", "completed", [30, 10, 2]),
    ]
    async with factory.app.state.sessionmaker() as session, session.begin():
        for week, (kind, status, leads) in enumerate(past, start=1):
            begins = start - timedelta(days=7 * week)
            sess = ScheduledSession(
                id=uuid.uuid4(),
                type=kind,
                status=status,
                coach_id=coach.id,
                start_at=begins,
                end_at=begins + timedelta(hours=1),
                coach_busy_until=begins + timedelta(hours=1),
                timezone="UTC",
                location="Studio",
                capacity=10,
                booked=0,
                held=0,
                sequence=0,
            )
            session.add(sess)
            await session.flush()
            for customer, lead in zip(customers, leads, strict=False):
                session.add(
                    SessionBooking(
                        id=uuid.uuid4(),
                        session_id=sess.id,
                        customer_id=customer.id,
                        status="canceled",
                        start_at=begins,
                        end_at=begins + timedelta(hours=1),
                        canceled_at=begins - timedelta(hours=lead),
                    )
                )


async def test_the_estimate_learns_from_similar_sessions_cancellations(factory: Factory) -> None:
    coach, ann = await factory.coach(), await factory.customer()
    w1, w2, w3 = [await factory.customer() for _ in range(3)]
    await grant_sessions(factory, [ann])
    start = factory.now.replace(second=0, microsecond=0) + timedelta(hours=48)
    await _seed_history(factory, coach, start)
    yoga = await _full_class(
        factory,
        coach,
        [ann],
        startTime=start.isoformat(),
        endTime=(start + timedelta(hours=1)).isoformat(),
    )

    first = (await _join(factory, w1, yoga["id"], w1)).json()["data"]
    # The first cancellation came 30, 20 and 40 hours before in 3 of the 4 similar classes.
    window = first["estimatedConfirmation"]
    assert (utc(window["earliest"]), utc(window["latest"])) == (
        start - timedelta(hours=40),
        start - timedelta(hours=20),
    )
    assert (window["likelihood"], window["similarSessions"]) == (0.75, 4)
    assert first["estimateUnavailableReason"] is None
    second = (await _join(factory, w2, yoga["id"], w2)).json()["data"]["estimatedConfirmation"]
    assert (utc(second["earliest"]), utc(second["latest"])) == (
        start - timedelta(hours=10),
        start - timedelta(hours=5),
    )
    assert second["likelihood"] == 0.5
    third = (await _join(factory, w3, yoga["id"], w3)).json()["data"]
    assert third["estimatedConfirmation"] is None
    assert third["estimateUnavailableReason"].startswith("None of the 4 similar sessions")


@pytest.mark.postgres_only
@with_settings(rate_limit_enabled=False)
async def test_two_places_freed_at_once_make_two_offers_never_two_bookings(
    factory: Factory, app: FastAPI
) -> None:
    coach = await factory.coach()
    ann, bob, carl, dora, w1, w2, w3 = [await factory.customer() for _ in range(7)]
    await grant_sessions(factory, [ann, bob, carl, dora, w1, w2, w3])
    yoga = await _full_class(factory, coach, [ann, bob])
    sid = yoga["id"]
    for customer in (w1, w2, w3):
        assert (await _join(factory, customer, sid, customer)).status_code == 201

    canceled = await at_once([change(factory, one, sid, status="canceled") for one in (ann, bob)])
    assert [answer.status_code for answer in canceled] == [200, 200]
    entries = await _entries(app, sid)
    assert (entries[w1.id], entries[w2.id], entries[w3.id]) == ("offered", "offered", "waiting")
    assert await _seats(app, sid) == (0, 2)

    answers = await at_once(
        [_claim(factory, one, sid) for one in (w1, w2, w3)]
        + [_book(factory, one, sid) for one in (carl, dora)]
    )
    assert [answer.status_code for answer in answers] == [201, 201, 409, 409, 409]
    assert [answer.json()["code"] for answer in answers[2:]] == [
        "no_offer_yet",
        "session_full",
        "session_full",
    ]
    assert await _seats(app, sid) == (2, 0)
    async with app.state.sessionmaker() as session:
        holders = set(
            await session.scalars(
                select(SessionBooking.customer_id).where(
                    SessionBooking.session_id == uuid.UUID(sid), SessionBooking.status == "booked"
                )
            )
        )
    assert holders == {w1.id, w2.id}


@pytest.mark.postgres_only
@with_settings(rate_limit_enabled=False, access_token_ttl_seconds=86_400)
async def test_a_claim_racing_the_expiry_job_ends_one_way_only(
    factory: Factory, app: FastAPI, clock: FrozenClock
) -> None:
    coach = await factory.coach()
    ann, w1, w2 = [await factory.customer() for _ in range(3)]
    await grant_sessions(factory, [ann, w1, w2])
    sid = (await _full_class(factory, coach, [ann]))["id"]
    for customer in (w1, w2):
        assert (await _join(factory, customer, sid, customer)).status_code == 201
    assert (await change(factory, ann, sid, status="canceled")).status_code == 200
    expires = utc((await _place(factory, w1, sid)).json()["data"]["offerExpiresAt"])
    clock.advance(seconds=(expires - clock.now()).total_seconds() - 1)

    async def expire_just_after() -> int:
        async with app.state.sessionmaker() as session, session.begin():
            return await expire_offers(session, expires)

    claim, expired = await at_once([_claim(factory, w1, sid), expire_just_after()])
    entries = await _entries(app, sid)
    if claim.status_code == 201:
        assert expired == 0
        assert (entries[w1.id], entries[w2.id]) == ("claimed", "waiting")
        assert await _seats(app, sid) == (1, 0)
    else:
        assert_error(claim, 409, code="offer_expired")
        assert expired == 1
        assert (entries[w1.id], entries[w2.id]) == ("expired", "offered")
        assert await _seats(app, sid) == (0, 1)
