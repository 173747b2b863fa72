"""The cohort table and its drilldown: coaches over their clients, admins over everyone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fitcoach.access.dependencies import StaffUser
from fitcoach.analytics.cohorts.schemas import (
    CohortCustomerOut,
    CohortMetric,
    CohortTableOut,
    Dimension,
    Interval,
)
from fitcoach.analytics.cohorts.service import CohortQuery, Signing, cohorts_service
from fitcoach.analytics.dates import IsoDate
from fitcoach.db.session import ReadSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.pagination import Page, PageRequestDep

router = APIRouter(tags=["analytics"])


@router.get(
    "/analytics/cohorts",
    response_model=DataEnvelope[CohortTableOut],
    responses=error_responses(401, 403, 422),
    summary="The cohort table: each cohort's size and value per period since start, each cell "
    "with a drilldown token (coaches over their clients, admins over everyone)",
)
async def cohorts(
    actor: StaffUser,
    session: ReadSession,
    clock: ClockDep,
    settings: SettingsDep,
    dimension: Dimension = Dimension.signup_month,
    metric: CohortMetric = CohortMetric.retention,
    interval: Interval = Interval.month,
    periods: Annotated[int, Query(ge=1, le=52, description="Columns of the table")] = 12,
    start: Annotated[
        IsoDate | None, Query(alias="from", description="Signups from this day; default a year ago")
    ] = None,
    currency: Annotated[
        str, Query(pattern=r"^[A-Z]{3}$", description="revenuePerCustomer's currency")
    ] = "USD",
) -> DataEnvelope[CohortTableOut]:
    query = CohortQuery(dimension.value, metric.value, interval.value, periods, start, currency)
    signing = Signing(clock.now(), settings.signing_secret)
    table = await cohorts_service.table(session, actor, query, signing)
    return ok(CohortTableOut.of(table))


@router.get(
    "/analytics/cohorts/drilldown",
    response_model=DataEnvelope[Page[CohortCustomerOut]],
    responses=error_responses(401, 403, 422),
    summary="The customers one cell of the cohort table counts, by its drilldown token (the "
    "coach or admin it was issued to)",
)
async def drilldown(
    actor: StaffUser,
    session: ReadSession,
    clock: ClockDep,
    settings: SettingsDep,
    page: PageRequestDep,
    token: Annotated[str, Query(min_length=1, max_length=4096)],
) -> DataEnvelope[Page[CohortCustomerOut]]:
    signing = Signing(clock.now(), settings.signing_secret)
    _, rows, total = await cohorts_service.drilldown(session, actor, token, signing, page)
    customers = [
        CohortCustomerOut(id=row.id, name=row.name, signed_up_at=row.signed_up_at) for row in rows
    ]
    return ok(Page[CohortCustomerOut].of(customers, total, page))
