"""A customer's progress: the customer their own, a coach their clients', an admin anyone's."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from fitcoach.access.dependencies import CurrentUser
from fitcoach.analytics.dates import IsoDate
from fitcoach.analytics.progress.metrics import Metric
from fitcoach.analytics.progress.schemas import ProgressOut
from fitcoach.analytics.progress.service import ProgressQuery, Range, progress_analytics
from fitcoach.db.session import ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok

router = APIRouter(tags=["analytics"])


@router.get(
    "/analytics/progress",
    response_model=DataEnvelope[ProgressOut],
    responses=error_responses(401, 403, 404, 422),
    summary="A customer's metrics over a range: series, trend, forecast and goal date (the "
    "customer, their coach, admins)",
)
async def progress(
    actor: CurrentUser,
    session: ReadSession,
    clock: ClockDep,
    customer_id: Annotated[
        uuid.UUID | None, Query(alias="customerId", description="Default: yourself")
    ] = None,
    metrics: Annotated[
        list[Metric], Query(min_length=1, max_length=16, description="Repeat for several")
    ] = [Metric.weight],  # noqa: B006 - FastAPI copies a query default
    range_: Annotated[
        Range | None, Query(alias="range", description="Instead of from/to; default 30d")
    ] = None,
    start: Annotated[IsoDate | None, Query(alias="from")] = None,
    end: Annotated[IsoDate | None, Query(alias="to")] = None,
) -> DataEnvelope[ProgressOut]:
    query = ProgressQuery(customer_id, tuple(metrics), range_, start, end)
    view = await progress_analytics.progress(session, actor, query, clock.now())
    return ok(ProgressOut.of(view))
