"""The ticket in the path, the ticket list's filters, and who may act as a support agent."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Query

from fitcoach.access.dependencies import require_role
from fitcoach.access.principal import Principal
from fitcoach.messaging.support.hours import Priority
from fitcoach.messaging.support.repository import TicketFilter
from fitcoach.messaging.support.service import TicketStatus
from fitcoach.models.enums import Role

TicketIdPath = Annotated[uuid.UUID, Path(alias="ticketId", description="The ticket's id")]

AgentUser = Annotated[Principal, require_role(Role.SUPPORT_AGENT)]


async def _ticket_filter(
    status: Annotated[TicketStatus | None, Query(description="Only tickets in this status")] = None,
    priority: Annotated[Priority | None, Query(description="Only tickets of this priority")] = None,
    assigned_agent_id: Annotated[
        uuid.UUID | None,
        Query(alias="assignedAgentId", description="Only tickets assigned to this agent"),
    ] = None,
    requester_id: Annotated[
        uuid.UUID | None,
        Query(alias="requesterId", description="Only tickets this person opened"),
    ] = None,
) -> TicketFilter:
    return TicketFilter(
        status=status.value if status is not None else None,
        priority=priority.value if priority is not None else None,
        agent_id=assigned_agent_id,
        requester_id=requester_id,
    )


TicketFilterDep = Annotated[TicketFilter, Depends(_ticket_filter)]
