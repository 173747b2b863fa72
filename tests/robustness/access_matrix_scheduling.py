"""The access matrix's rows for the scheduling domain (see access_matrix for the rules).

Sessions are scheduled by coaches on their own calendar (the unassigned coach is refused the
assigned coach's) and by admins on any; customers book classes. A session is seen by its coach,
its booked customers and admins, never by another customer or coach (404). A customer's
entitlement ledger is theirs, their coach's and admins' to read; admins alone adjust it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fitcoach.models.enums import Role
from fitcoach.scheduling.entitlements.service import Grant, entitlement_service
from fitcoach.scheduling.feed.service import feed_service
from fitcoach.scheduling.sessions.changes import SessionChange, session_changes
from fitcoach.scheduling.sessions.policy import SchedulingPolicy
from fitcoach.scheduling.sessions.rules import SessionStatus, SessionType
from fitcoach.scheduling.sessions.service import SessionDraft, session_service
from fitcoach.scheduling.waitlist.service import waitlist_service
from fitcoach.users.service import NewUser, user_service
from tests.factories import random_phone
from tests.robustness.cells import (
    Call,
    Row,
    admin_only,
    call_on,
    customer_id_of,
    public,
    reads_only,
    signed_in,
)
from tests.robustness.world import Actor, World


async def _grant_everyone(world: World) -> None:
    """Sessions for everyone in the world, so no cell is refused for want of an entitlement."""
    now = world.app.state.clock.now()
    async with world.app.state.sessionmaker() as session, session.begin():
        for user_id in world.ids.values():
            await entitlement_service.grant(
                session,
                Grant(user_id, 4, now, now + timedelta(days=30), "Matrix membership"),
                None,
                now,
            )


async def _class(world: World, participants: list[Actor]) -> str:
    """A class on the assigned coach's calendar tomorrow, with `participants` booked."""
    await _grant_everyone(world)
    now = world.app.state.clock.now()
    async with world.app.state.sessionmaker() as session, session.begin():
        coach = await user_service.get(session, world.ids[Actor.ASSIGNED_COACH])
        view = await session_service.create(
            session,
            coach,
            SessionDraft(
                type=SessionType.class_,
                start=now + timedelta(days=1),
                end=now + timedelta(days=1, hours=1),
                timezone="Africa/Cairo",
                coach_id=coach.id,
                location="online",
                join_link=None,
                capacity=10,
                participants=[world.ids[actor] for actor in participants],
            ),
            SchedulingPolicy.of(world.app.state.settings),
            now,
        )
    return str(view.session.id)


async def _new_session(world: World, actor: Actor) -> Call:
    await _grant_everyone(world)
    start = world.app.state.clock.now() + timedelta(days=2)
    return Call(
        json={
            "type": "group",
            "startTime": start.isoformat(),
            "endTime": (start + timedelta(hours=1)).isoformat(),
            "timezone": "Africa/Cairo",
            "coachId": world.id_of(Actor.ASSIGNED_COACH),
            "location": "Studio A",
            "capacity": 4,
            "participants": [world.customer.user_id],
        }
    )


async def _booked_class(world: World, actor: Actor) -> Call:
    return Call(path={"sessionId": await _class(world, [Actor.CUSTOMER])})


async def _open_class(world: World, actor: Actor) -> Call:
    return Call(path={"sessionId": await _class(world, [])})


async def _full_class(world: World, *, waiting: bool, offered: bool) -> str:
    """A one-place class of the assigned coach, held by a customer of its own (booked by an
    admin); the world's customer in its line if `waiting`, and offered the place (its holder
    canceled) if `offered`."""
    await _grant_everyone(world)
    now = world.app.state.clock.now()
    policy = SchedulingPolicy.of(world.app.state.settings)
    async with world.app.state.sessionmaker() as session, session.begin():
        holder = await user_service.create(
            session,
            NewUser(name="Matrix class holder", roles=[Role.CUSTOMER], phone=random_phone()),
        )
        await entitlement_service.grant(
            session,
            Grant(holder.id, 1, now, now + timedelta(days=30), "Matrix membership"),
            None,
            now,
        )
        admin = await user_service.get(session, world.ids[Actor.ADMIN])
        view = await session_service.create(
            session,
            admin,
            SessionDraft(
                type=SessionType.class_,
                start=now + timedelta(days=1),
                end=now + timedelta(days=1, hours=1),
                timezone="UTC",
                coach_id=world.ids[Actor.ASSIGNED_COACH],
                location="Studio A",
                join_link=None,
                capacity=1,
                participants=[holder.id],
            ),
            policy,
            now,
        )
        session_id = view.session.id
        if waiting:
            customer = await user_service.get(session, world.ids[Actor.CUSTOMER])
            await waitlist_service.join(session, customer, (session_id, customer.id), now)
        if offered:
            change = SessionChange(session_id, SessionStatus.canceled, None, None, [])
            await session_changes.change(session, holder, change, policy, now)
    return str(session_id)


async def _join_full_class(world: World, actor: Actor) -> Call:
    return Call(
        path={"sessionId": await _full_class(world, waiting=False, offered=False)},
        json={"customerId": world.customer.user_id},
    )


async def _in_line(world: World, actor: Actor) -> Call:
    return Call(path={"sessionId": await _full_class(world, waiting=True, offered=False)})


async def _offered(world: World, actor: Actor) -> Call:
    return Call(path={"sessionId": await _full_class(world, waiting=True, offered=True)})


def _adjustment(world: World) -> dict[str, Any]:
    now = world.app.state.clock.now()
    return {
        "sessions": 2,
        "validFrom": now.isoformat(),
        "validUntil": (now + timedelta(days=30)).isoformat(),
        "reason": "Matrix grant",
    }


@reads_only
async def _calendar(world: World, actor: Actor) -> Call:
    now = world.app.state.clock.now()
    return Call(params={"start": now.isoformat(), "end": (now + timedelta(days=30)).isoformat()})


async def _cancel_booked_class(world: World, actor: Actor) -> Call:
    """The customer cancels their place, or staff the whole class."""
    return Call(
        path={"sessionId": await _class(world, [Actor.CUSTOMER])}, json={"status": "canceled"}
    )


on_assigned_coach = call_on(coachId=lambda world: world.ids[Actor.ASSIGNED_COACH])


@reads_only
async def _slots(world: World, actor: Actor) -> Call:
    now = world.app.state.clock.now()
    return Call(
        path={"coachId": world.id_of(Actor.ASSIGNED_COACH)},
        params={"from": now.isoformat(), "to": (now + timedelta(days=7)).isoformat()},
    )


async def _feed(world: World, actor: Actor) -> Call:
    """The customer's feed address: the token is the credential, whoever holds it."""
    async with world.app.state.sessionmaker() as session, session.begin():
        token = await feed_service.rotate(
            session,
            world.ids[Actor.CUSTOMER],
            world.app.state.settings,
            world.app.state.clock.now(),
        )
    world.issued_secrets.add(token)
    return Call(path={"token": token})


@reads_only
async def _ledger(world: World, actor: Actor) -> Call:
    return Call(path={"customerId": customer_id_of(world)})


SCHEDULING_MATRIX: dict[tuple[str, str], Row] = {
    ("POST", "/api/v1/sessions"): Row(signed_in(403, 403, 201, 403, 201), _new_session),
    ("GET", "/api/v1/sessions/{sessionId}"): Row(signed_in(200, 404, 200, 404, 200), _booked_class),
    # Everyone signed in has a calendar (their own); staff see theirs, admins everyone's.
    ("GET", "/api/v1/sessions"): Row(signed_in(200, 200, 200, 200, 200), _calendar),
    ("PATCH", "/api/v1/sessions/{sessionId}"): Row(
        signed_in(200, 404, 200, 404, 200), _cancel_booked_class
    ),
    ("POST", "/api/v1/sessions/{sessionId}/bookings"): Row(
        signed_in(201, 201, 403, 403, 403), _open_class
    ),
    # The assigned coach's availability: theirs and admins' to set, their customers' to read.
    ("GET", "/api/v1/coaches/{coachId}/availability"): Row(
        signed_in(200, 404, 200, 404, 200), on_assigned_coach()
    ),
    ("PUT", "/api/v1/coaches/{coachId}/availability"): Row(
        signed_in(403, 404, 200, 404, 200),
        on_assigned_coach(
            lambda world: {
                "timezone": "UTC",
                "weeklyHours": {"monday": [{"start": "09:00", "end": "12:00"}]},
            }
        ),
    ),
    ("GET", "/api/v1/coaches/{coachId}/slots"): Row(signed_in(200, 404, 200, 404, 200), _slots),
    ("POST", "/api/v1/calendar/token"): Row(
        signed_in(201, 201, 201, 201, 201), hands_over=frozenset({"token", "url"})
    ),
    ("GET", "/api/v1/calendar/{token}.ics"): Row(public(), _feed),
    ("GET", "/api/v1/customers/{customerId}/entitlements"): Row(
        signed_in(200, 404, 200, 404, 200), _ledger
    ),
    # Customers join for themselves, the session's coach for their customer, admins for anyone;
    # a customer's place is theirs alone to read, leave and claim.
    ("POST", "/api/v1/sessions/{sessionId}/waitlist"): Row(
        signed_in(201, 404, 201, 404, 201), _join_full_class
    ),
    ("GET", "/api/v1/sessions/{sessionId}/waitlist"): Row(
        signed_in(200, 404, 403, 403, 403), _in_line
    ),
    ("DELETE", "/api/v1/sessions/{sessionId}/waitlist"): Row(
        signed_in(200, 404, 403, 403, 403), _in_line
    ),
    ("POST", "/api/v1/sessions/{sessionId}/waitlist/claim"): Row(
        signed_in(201, 404, 403, 403, 403), _offered
    ),
    ("PUT", "/api/v1/admin/settings/waitlist"): Row(
        admin_only(200),
        call_on()(lambda world: {"claimMinutes": 60, "minimumClaimMinutes": 10}),
    ),
    ("POST", "/api/v1/admin/customers/{customerId}/entitlements"): Row(
        admin_only(201), call_on(customerId=customer_id_of)(_adjustment)
    ),
}
