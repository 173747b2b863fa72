"""GET /api/v1/audit-logs (admin only). The trail has no write, update or delete route."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fitcoach.access.dependencies import AdminUser
from fitcoach.audit.dependencies import AuditFilterDep
from fitcoach.audit.schemas import AuditEntryOut, AuditPageOut
from fitcoach.audit.service import audit_service
from fitcoach.db.session import ReadSession
from fitcoach.http.envelope import DataEnvelope, error_responses, ok

router = APIRouter(tags=["audit"])


@router.get(
    "/audit-logs",
    response_model=DataEnvelope[AuditPageOut],
    responses=error_responses(401, 403, 422),
    summary="Audit entries, newest first, with a keyset cursor (admin)",
)
async def list_audit_logs(
    _admin: AdminUser,
    session: ReadSession,
    where: AuditFilterDep,
    cursor: Annotated[
        str | None, Query(max_length=200, description="nextCursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> DataEnvelope[AuditPageOut]:
    entries, next_cursor = await audit_service.page(session, where, cursor, limit)
    return ok(
        AuditPageOut(items=[AuditEntryOut.of(entry) for entry in entries], next_cursor=next_cursor)
    )
