"""The audit trail's fallback for state-changing requests that recorded nothing themselves, and
the trail's list filters parsed from the query string."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request

from fitcoach.audit.repository import AuditFilter
from fitcoach.audit.schemas import parse_date_range
from fitcoach.audit.service import audit_service
from fitcoach.db.session import before_commit

_NAME = r"^[a-z][a-z0-9_.]{0,63}$"


def record_unaudited_write(request: Request) -> None:
    """Register, on the request's transaction, the generic entry of an authenticated write; it is
    skipped at commit when a service already recorded something more specific."""
    method, path, clock = request.method, request.url.path, request.app.state.clock
    before_commit(
        request,
        lambda transaction: audit_service.ensure_recorded(transaction, method, path, clock.now()),
    )


async def _audit_filter(
    actor_id: Annotated[uuid.UUID | None, Query(alias="actorId")] = None,
    resource_type: Annotated[str | None, Query(alias="resourceType", pattern=_NAME)] = None,
    action: Annotated[str | None, Query(pattern=_NAME)] = None,
    date_range: Annotated[
        str | None,
        Query(
            alias="dateRange",
            max_length=80,
            description="FROM/TO, ISO-8601 dates or date-times (UTC when no zone), half-open "
            "[FROM, TO); either side may be empty: 2026-01-01/2026-02-01, 2026-01-01T08:00:00Z/",
        ),
    ] = None,
) -> AuditFilter:
    occurred_from, occurred_before = parse_date_range(date_range)
    return AuditFilter(
        actor_id=actor_id,
        resource_type=resource_type,
        action=action,
        occurred_from=occurred_from,
        occurred_before=occurred_before,
    )


AuditFilterDep = Annotated[AuditFilter, Depends(_audit_filter)]
