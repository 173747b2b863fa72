"""Sessions: scheduling them (coaches on their own calendar, admins on any), booking a place
(customers), the caller's calendar, and changing a session."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import CurrentUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.location import Created
from fitcoach.http.pagination import Page
from fitcoach.http.paths import SessionIdPath
from fitcoach.idempotency.dependencies import IdempotentRoute, idempotent
from fitcoach.models.enums import Role
from fitcoach.scheduling.availability.service import availability_service
from fitcoach.scheduling.sessions.calendar import calendar_of
from fitcoach.scheduling.sessions.changes import session_changes
from fitcoach.scheduling.sessions.dependencies import CalendarQueryDep, CustomerUser
from fitcoach.scheduling.sessions.policy import SchedulingPolicy
from fitcoach.scheduling.sessions.schemas import (
    CalendarOut,
    SessionChangeIn,
    SessionIn,
    SessionOut,
)
from fitcoach.scheduling.sessions.service import session_service

router = APIRouter(tags=["scheduling"], route_class=IdempotentRoute)


@router.post(
    "/sessions",
    response_model=DataEnvelope[SessionOut],
    status_code=201,
    # Booking participants spends their entitlements: a retry must not book twice.
    dependencies=[idempotent],
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Schedule a session (coaches on their calendar, admins on any; customers a "
    "one-to-one with their coach inside the coach's availability)",
)
async def create_session(
    body: SessionIn,
    actor: CurrentUser,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    created: Created,
) -> DataEnvelope[SessionOut]:
    policy, now = SchedulingPolicy.of(settings), clock.now()
    if actor.has_role(Role.COACH) or actor.has_role(Role.ADMIN):
        view = await session_service.create(session, actor, body.to_draft(), policy, now)
    else:
        view = await availability_service.book_one_to_one(
            session, actor, body.to_draft(), policy, now
        )
    created.route("get_session", sessionId=view.session.id)
    return ok(SessionOut.of(view))


@router.post(
    "/sessions/{sessionId}/bookings",
    response_model=DataEnvelope[SessionOut],
    status_code=201,
    dependencies=[idempotent],
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Take a place in a group session of your coach or a class (customers)",
)
async def book_session(
    session_id: SessionIdPath,
    customer: CustomerUser,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> DataEnvelope[SessionOut]:
    view = await session_service.book(
        session, customer, session_id, SchedulingPolicy.of(settings), clock.now()
    )
    return ok(SessionOut.of(view))


@router.get(
    "/sessions/{sessionId}",
    response_model=DataEnvelope[SessionOut],
    responses=error_responses(401, 404, 422),
    summary="One session: its coach, its booked customers (their own booking) and admins",
)
async def get_session(
    session_id: SessionIdPath,
    actor: CurrentUser,
    session: ReadSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> DataEnvelope[SessionOut]:
    view = await session_service.get(
        session, actor, session_id, SchedulingPolicy.of(settings), clock.now()
    )
    return ok(SessionOut.of(view))


@router.get(
    "/sessions",
    response_model=DataEnvelope[CalendarOut],
    responses=error_responses(401, 403, 422),
    summary="Your calendar over a range of at most 92 days, in a time zone of your choice",
)
async def list_sessions(
    query: CalendarQueryDep,
    actor: CurrentUser,
    session: ReadSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> DataEnvelope[CalendarOut]:
    found = await calendar_of(session, actor, query, SchedulingPolicy.of(settings), clock.now())
    listed = Page[SessionOut].of(
        [SessionOut.of(view, found.timezone) for view in found.views], found.total, query.page
    )
    return ok(
        CalendarOut(timezone=found.timezone, items=listed.items, pagination=listed.pagination)
    )


@router.patch(
    "/sessions/{sessionId}",
    response_model=DataEnvelope[SessionOut],
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Reschedule, cancel or complete a session (its coach, admins); "
    "cancel your own place (customers)",
)
async def change_session(
    session_id: SessionIdPath,
    body: SessionChangeIn,
    actor: CurrentUser,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> DataEnvelope[SessionOut]:
    view = await session_changes.change(
        session, actor, body.to_change(session_id), SchedulingPolicy.of(settings), clock.now()
    )
    return ok(SessionOut.of(view))
