"""The customer's day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from fitcoach.db.session import ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.training.dependencies import CustomerUser
from fitcoach.training.today.schemas import TodayOut
from fitcoach.training.today.service import today_service

router = APIRouter(tags=["training"])


@router.get(
    "/plans/today",
    response_model=DataEnvelope[TodayOut],
    responses=error_responses(401, 403, 422),
    summary=(
        "Your day in your time zone: scheduled workouts, meals and habits with what you logged, "
        "media and totals (customers)"
    ),
)
async def plans_today(
    customer: CustomerUser,
    session: ReadSession,
    clock: ClockDep,
    on: Annotated[date | None, Query(alias="date", description="Default: today")] = None,
    timezone: Annotated[
        str | None,
        Query(max_length=64, description="An IANA zone; default: your profile's"),
    ] = None,
) -> DataEnvelope[TodayOut]:
    return ok(await today_service.day(session, customer, on, timezone, clock.now()))
