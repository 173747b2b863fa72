"""The finance report (admins), its exports (admins request them) and their downloads (anyone
holding a live signed link)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from fitcoach.access.dependencies import AdminUser
from fitcoach.analytics.dates import IsoDate
from fitcoach.analytics.exports.dependencies import ExportsDep
from fitcoach.analytics.exports.service import CONTENT_TYPES, exports_service
from fitcoach.analytics.finance.service import FinanceQuery, finance_service
from fitcoach.analytics.reports.schemas import (
    Currency,
    ExportIn,
    ExportOut,
    FinanceReportOut,
    GroupBy,
)
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.paths import ExportIdPath

router = APIRouter(tags=["analytics"])


@router.get(
    "/reports/finance",
    response_model=DataEnvelope[FinanceReportOut],
    responses=error_responses(401, 403, 422),
    summary="Revenue by product, coach or month, refunds, outstanding invoices by age, MRR, "
    "churned revenue and recent exports (admins)",
)
async def finance_report(
    admin: AdminUser,
    session: ReadSession,
    clock: ClockDep,
    exports: ExportsDep,
    start: Annotated[
        IsoDate | None, Query(alias="from", description="Default: 30 days ago")
    ] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="Default: today (UTC)")] = None,
    currency: Annotated[Currency, Query()] = "USD",
    group_by: Annotated[GroupBy, Query(alias="groupBy")] = GroupBy.product,
) -> DataEnvelope[FinanceReportOut]:
    now = clock.now()
    query = FinanceQuery(start, end, currency, group_by.value)
    report = await finance_service.report(session, query, now)
    recent = [
        ExportOut.of(export, exports_service.link(export, exports.signing_secret, now))
        for export in await exports_service.recent(session)
    ]
    return ok(FinanceReportOut.of(report, recent))


@router.post(
    "/reports/finance/exports",
    response_model=DataEnvelope[ExportOut],
    status_code=202,
    responses=error_responses(400, 401, 403, 422),
    summary="Export the finance report as CSV or XLSX: built in the background, listed by the "
    "report with its state and, once ready, a signed link (admins)",
)
async def request_finance_export(
    body: ExportIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[ExportOut]:
    now = clock.now()
    query = body.to_query()
    finance_service.check(query, now)
    export = await exports_service.request(session, admin, body.format, query, now)
    return ok(ExportOut.of(export, None))


@router.get(
    "/exports/{exportId}/download",
    response_class=Response,
    responses={
        200: {
            "description": "The file",
            "content": {media: {} for media in CONTENT_TYPES.values()},
        },
        **error_responses(403, 404, 422),
    },
    summary="Download a finance export through its signed link (anyone holding a live link)",
)
async def download_export(
    export_id: ExportIdPath,
    session: ReadSession,
    clock: ClockDep,
    exports: ExportsDep,
    expires: Annotated[int, Query(ge=0, le=2**40, description="From the signed link")],
    signature: Annotated[
        str, Query(pattern=r"^[0-9a-f]{1,128}$", description="From the signed link")
    ],
) -> Response:
    data, export = await exports_service.open(
        session, export_id, (expires, signature), exports, clock.now()
    )
    name = f"finance-{export.created_at:%Y%m%d-%H%M%S}.{export.format}"
    return Response(
        content=data,
        media_type=CONTENT_TYPES[export.format],
        headers={
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )
