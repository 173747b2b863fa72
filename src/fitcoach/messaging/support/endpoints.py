"""Support tickets (api-design §5): anyone signed in opens tickets and sees their own; support
staff (agents and admins) see, answer and move every ticket. Admins set the working hours and
budgets the deadlines count in."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser, CurrentUser, user_rate_limit
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.messaging.support.dependencies import AgentUser, TicketFilterDep, TicketIdPath
from fitcoach.messaging.support.schemas import (
    AgentAvailabilityIn,
    SupportPolicyIn,
    TicketDetailOut,
    TicketIn,
    TicketOut,
    TicketReplyIn,
    TicketStatusIn,
)
from fitcoach.messaging.support.service import support_service

router = APIRouter(tags=["support"])

OPEN_LIMIT = "10/minute"
REPLY_LIMIT = "60/minute"


@router.post(
    "/support/tickets",
    response_model=DataEnvelope[TicketOut],
    status_code=201,
    responses=error_responses(400, 401, 422, 429),
    summary="Open a support ticket: its deadlines in working time and, when one is available, "
    "its assigned agent",
    dependencies=[user_rate_limit("support.open", OPEN_LIMIT)],
)
async def open_ticket(
    body: TicketIn, requester: CurrentUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[TicketOut]:
    view = await support_service.open_ticket(session, requester, body.to_draft(), clock.now())
    return ok(TicketOut.of(view))


@router.get(
    "/support/tickets",
    response_model=DataEnvelope[Page[TicketOut]],
    responses=error_responses(401, 422),
    summary="Tickets, newest first: support staff see every one, others their own",
)
async def list_tickets(
    actor: CurrentUser, session: ReadSession, where: TicketFilterDep, page: PageRequestDep
) -> DataEnvelope[Page[TicketOut]]:
    listing = await support_service.tickets(session, actor, where, page)
    return ok(
        Page[TicketOut].of([TicketOut.of(one) for one in listing.tickets], listing.total, page)
    )


@router.get(
    "/support/tickets/{ticketId}",
    response_model=DataEnvelope[TicketDetailOut],
    responses=error_responses(401, 404, 422),
    summary="A ticket with its replies (its requester, support staff)",
)
async def get_ticket(
    ticket_id: TicketIdPath, actor: CurrentUser, session: ReadSession
) -> DataEnvelope[TicketDetailOut]:
    return ok(TicketDetailOut.detail(await support_service.ticket(session, actor, ticket_id)))


@router.post(
    "/support/tickets/{ticketId}/replies",
    response_model=DataEnvelope[TicketDetailOut],
    status_code=201,
    responses=error_responses(400, 401, 404, 409, 422, 429),
    summary="Reply on a ticket (its requester, support staff); support's first reply meets the "
    "first-response deadline",
    dependencies=[user_rate_limit("support.reply", REPLY_LIMIT)],
)
async def reply_to_ticket(
    ticket_id: TicketIdPath,
    body: TicketReplyIn,
    actor: CurrentUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[TicketDetailOut]:
    view = await support_service.reply(session, actor, ticket_id, body.to_draft(), clock.now())
    return ok(TicketDetailOut.detail(view))


@router.post(
    "/support/tickets/{ticketId}/status",
    response_model=DataEnvelope[TicketDetailOut],
    responses=error_responses(400, 401, 404, 409, 422),
    summary="Move a ticket to another status (support staff; its requester closes or reopens)",
)
async def change_ticket_status(
    ticket_id: TicketIdPath,
    body: TicketStatusIn,
    actor: CurrentUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[TicketDetailOut]:
    view = await support_service.change_status(session, actor, ticket_id, body.status, clock.now())
    return ok(TicketDetailOut.detail(view))


@router.put(
    "/support/agents/me/availability",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 422),
    summary="Take new tickets or not (support agents)",
)
async def set_agent_availability(
    body: AgentAvailabilityIn, agent: AgentUser, session: DbSession
) -> MessageEnvelope:
    await support_service.set_availability(session, agent, body.available)
    return said("Availability updated")


@router.put(
    "/admin/settings/support",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 422),
    summary="Set support's time zone, working hours, holidays and deadline budgets (admin)",
)
async def set_support_policy(
    body: SupportPolicyIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await support_service.set_policy(session, admin, body.to_policy(), clock.now())
    return said("Support policy updated")
