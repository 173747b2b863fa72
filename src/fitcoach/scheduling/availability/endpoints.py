"""A coach's availability (weekly hours and time off) and their free one-to-one slots."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from fitcoach.access.dependencies import CurrentUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.paths import CoachIdPath
from fitcoach.scheduling.availability.schemas import (
    AvailabilityIn,
    AvailabilityOut,
    SlotOut,
    SlotsOut,
)
from fitcoach.scheduling.availability.service import SlotQuery, availability_service
from fitcoach.scheduling.sessions.policy import SchedulingPolicy
from fitcoach.scheduling.sessions.rules import local_iso, zone_named

router = APIRouter(tags=["scheduling"])


@router.get(
    "/coaches/{coachId}/availability",
    response_model=DataEnvelope[AvailabilityOut],
    responses=error_responses(401, 404, 422),
    summary="A coach's weekly hours and time off (the coach, their customers, admins)",
)
async def get_availability(
    coach_id: CoachIdPath, actor: CurrentUser, session: ReadSession
) -> DataEnvelope[AvailabilityOut]:
    return ok(AvailabilityOut.of(await availability_service.get(session, actor, coach_id)))


@router.put(
    "/coaches/{coachId}/availability",
    response_model=DataEnvelope[AvailabilityOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Replace a coach's weekly hours and time off (the coach, admins)",
)
async def set_availability(
    coach_id: CoachIdPath,
    body: AvailabilityIn,
    actor: CurrentUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[AvailabilityOut]:
    saved = await availability_service.replace(
        session, actor, coach_id, body.to_availability(), clock.now()
    )
    return ok(AvailabilityOut.of(saved))


@router.get(
    "/coaches/{coachId}/slots",
    response_model=DataEnvelope[SlotsOut],
    responses=error_responses(401, 404, 422),
    summary="Free one-to-one slots of a coach over at most 31 days (the coach, customers, admins)",
)
async def list_slots(
    coach_id: CoachIdPath,
    start: Annotated[datetime, Query(alias="from", description="From this moment")],
    end: Annotated[datetime, Query(alias="to", description="Until this moment")],
    actor: CurrentUser,
    session: ReadSession,
    settings: SettingsDep,
    clock: ClockDep,
    timezone: Annotated[str, Query(max_length=64, description="IANA zone to show")] = "UTC",
    minutes: Annotated[int, Query(ge=15, le=240, description="Slot length")] = 60,
) -> DataEnvelope[SlotsOut]:
    query = SlotQuery(start, end, timezone, minutes)
    found = await availability_service.slots(
        session, actor, coach_id, query, SchedulingPolicy.of(settings), clock.now()
    )
    zone = zone_named(timezone)
    return ok(
        SlotsOut(
            timezone=zone.key,
            items=[
                SlotOut(start_time=one, end_time=two, local_start_time=local_iso(one, zone))
                for one, two in found
            ],
        )
    )
