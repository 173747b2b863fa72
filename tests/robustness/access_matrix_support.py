"""The access matrix's rows for support tickets (see access_matrix for the rules).

The customer's ticket is theirs and support staff's (admins; the world has no support agent):
other customers and coaches find no such ticket (404). Only support agents set their
availability; only admins set the support policy."""

from __future__ import annotations

import uuid

from fitcoach.messaging.support.hours import Priority
from fitcoach.messaging.support.service import TicketDraft, support_service
from fitcoach.models import User
from tests.messaging.support.helpers import TARGETS
from tests.robustness.cells import Call, Row, anyone_signed_in, body_of, signed_in
from tests.robustness.world import Actor, World

requester_and_staff = signed_in(200, 404, 404, 404, 200)


async def _customer_ticket(world: World) -> uuid.UUID:
    async with world.app.state.sessionmaker() as session, session.begin():
        customer = await session.get(User, world.customer.id)
        assert customer is not None
        view = await support_service.open_ticket(
            session,
            customer,
            TicketDraft(
                subject="Matrix ticket", description="Help", priority=Priority.low, attachments=[]
            ),
            world.app.state.clock.now(),
        )
    return view.ticket.id


async def _on_ticket(world: World, actor: Actor) -> Call:
    return Call(path={"ticketId": str(await _customer_ticket(world))})


async def _reply(world: World, actor: Actor) -> Call:
    return Call(path={"ticketId": str(await _customer_ticket(world))}, json={"body": "Matrix"})


async def _close(world: World, actor: Actor) -> Call:
    return Call(path={"ticketId": str(await _customer_ticket(world))}, json={"status": "closed"})


SUPPORT_MATRIX: dict[tuple[str, str], Row] = {
    ("POST", "/api/v1/support/tickets"): Row(
        anyone_signed_in(201),
        body_of(lambda world: {"subject": "Matrix", "description": "Help", "priority": "low"}),
    ),
    ("GET", "/api/v1/support/tickets"): Row(anyone_signed_in()),
    ("GET", "/api/v1/support/tickets/{ticketId}"): Row(requester_and_staff, _on_ticket),
    ("POST", "/api/v1/support/tickets/{ticketId}/replies"): Row(
        signed_in(201, 404, 404, 404, 201), _reply
    ),
    ("POST", "/api/v1/support/tickets/{ticketId}/status"): Row(requester_and_staff, _close),
    ("PUT", "/api/v1/support/agents/me/availability"): Row(
        signed_in(403, 403, 403, 403, 403), body_of(lambda world: {"available": False})
    ),
    ("PUT", "/api/v1/admin/settings/support"): Row(
        signed_in(403, 403, 403, 403, 200),
        body_of(
            lambda world: {
                "timeZone": "Africa/Cairo",
                "workingHours": {"sunday": {"start": "09:00", "end": "17:00"}},
                "targets": TARGETS,
            }
        ),
    ),
}
