"""GET /api/v1/audit-logs (admin only). The trail has no write, update or delete route."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from fitcoach.access.dependencies import AdminUser
from fitcoach.audit.repository import AuditFilter
from fitcoach.audit.schemas import AuditEntryOut, AuditPageOut, parse_date_range
from fitcoach.audit.service import audit_service
from fitcoach.db.session import ReadSession
from fitcoach.http.envelope import DataEnvelope, error_responses, ok

router = APIRouter(tags=["audit"])
_NAME = r"^[a-z][a-z0-9_.]{0,63}$"


@router.get(
    "/audit-logs",
    response_model=DataEnvelope[AuditPageOut],
    responses=error_responses(401, 403, 422),
    summary="Audit entries, newest first, with a keyset cursor (admin)",
)
async def list_audit_logs(
    _admin: AdminUser,
    session: ReadSession,
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
    cursor: Annotated[
        str | None, Query(max_length=200, description="nextCursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> DataEnvelope[AuditPageOut]:
    occurred_from, occurred_before = parse_date_range(date_range)
    where = AuditFilter(
        actor_id=actor_id,
        resource_type=resource_type,
        action=action,
        occurred_from=occurred_from,
        occurred_before=occurred_before,
    )
    entries, next_cursor = await audit_service.page(session, where, cursor, limit)
    return ok(
        AuditPageOut(items=[AuditEntryOut.of(entry) for entry in entries], next_cursor=next_cursor)
    )
