"""Waitlists of full sessions: join (customers themselves, coaches their customers, admins
anyone), a customer's own place and leaving it, claiming an offered place; the admin's
claim-window setting."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser, CurrentUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.paths import SessionIdPath
from fitcoach.idempotency.dependencies import IdempotentRoute, idempotent
from fitcoach.scheduling.sessions.dependencies import CustomerUser
from fitcoach.scheduling.sessions.offers import set_waitlist_policy
from fitcoach.scheduling.sessions.policy import SchedulingPolicy
from fitcoach.scheduling.sessions.schemas import SessionOut
from fitcoach.scheduling.waitlist.schemas import WaitlistJoinIn, WaitlistPlaceOut, WaitlistPolicyIn
from fitcoach.scheduling.waitlist.service import waitlist_service

router = APIRouter(tags=["scheduling"], route_class=IdempotentRoute)


@router.post(
    "/sessions/{sessionId}/waitlist",
    response_model=DataEnvelope[WaitlistPlaceOut],
    status_code=201,
    responses=error_responses(400, 401, 404, 409, 422),
    summary="Join a full session's waitlist: your position and when a place is likely yours "
    "(customers themselves, coaches their customers, admins anyone)",
)
async def join_waitlist(
    session_id: SessionIdPath,
    body: WaitlistJoinIn,
    actor: CurrentUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[WaitlistPlaceOut]:
    place = await waitlist_service.join(session, actor, (session_id, body.customer_id), clock.now())
    return ok(WaitlistPlaceOut.of(place))


@router.get(
    "/sessions/{sessionId}/waitlist",
    response_model=DataEnvelope[WaitlistPlaceOut],
    responses=error_responses(401, 403, 404, 422),
    summary="Your place in a session's waitlist, with its estimate (customers)",
)
async def get_waitlist_place(
    session_id: SessionIdPath, customer: CustomerUser, session: ReadSession, clock: ClockDep
) -> DataEnvelope[WaitlistPlaceOut]:
    place = await waitlist_service.place(session, customer, session_id, clock.now())
    return ok(WaitlistPlaceOut.of(place))


@router.delete(
    "/sessions/{sessionId}/waitlist",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 422),
    summary="Leave a session's waitlist; a place held for you goes to the next (customers)",
)
async def leave_waitlist(
    session_id: SessionIdPath, customer: CustomerUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await waitlist_service.leave(session, customer, session_id, clock.now())
    return said("You left the waitlist")


@router.post(
    "/sessions/{sessionId}/waitlist/claim",
    response_model=DataEnvelope[SessionOut],
    status_code=201,
    # Claiming books the place and spends an entitlement: a retry must not book twice.
    dependencies=[idempotent],
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Book the place the waitlist offers you, before the offer runs out (customers)",
)
async def claim_waitlist_place(
    session_id: SessionIdPath,
    customer: CustomerUser,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> DataEnvelope[SessionOut]:
    view = await waitlist_service.claim(
        session, customer, session_id, SchedulingPolicy.of(settings), clock.now()
    )
    return ok(SessionOut.of(view))


@router.put(
    "/admin/settings/waitlist",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 422),
    summary="Set how long a waitlist offer runs (admin)",
)
async def set_waitlist_claim_window(
    body: WaitlistPolicyIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await set_waitlist_policy(session, admin.id, body.to_policy(), clock.now())
    return said("Waitlist policy updated")
