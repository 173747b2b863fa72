"""Scheduling plans: their days (staff who may change the plan), who follows them from when
(admins, or a coach for their customers), their daily habits, and each user's time zone."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import CurrentUser, StaffUser
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.paths import CustomerIdPath, PlanIdPath
from fitcoach.training.schedules.schemas import (
    AssignmentIn,
    AssignmentOut,
    HabitIn,
    HabitOut,
    ScheduleIn,
    ScheduleOut,
    TimezoneIn,
    TimezoneOut,
)
from fitcoach.training.schedules.service import schedules_service

router = APIRouter(tags=["training"])


@router.put(
    "/plans/{planId}/schedule",
    response_model=DataEnvelope[ScheduleOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Set how a plan's item days map to dates (staff who may change the plan)",
)
async def set_schedule(
    plan_id: PlanIdPath, body: ScheduleIn, actor: StaffUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[ScheduleOut]:
    schedule = await schedules_service.set_schedule(
        session, actor, plan_id, body.to_draft(), clock.now()
    )
    return ok(ScheduleOut.model_validate(schedule))


@router.post(
    "/plans/{planId}/assignments",
    response_model=DataEnvelope[AssignmentOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Have a customer follow a plan from a start date (admin, or the customer's coach)",
)
async def assign_plan(
    plan_id: PlanIdPath, body: AssignmentIn, actor: StaffUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[AssignmentOut]:
    assignment = await schedules_service.assign(
        session, actor, plan_id, body.to_draft(), clock.now()
    )
    return ok(AssignmentOut.model_validate(assignment))


@router.post(
    "/plans/{planId}/habits",
    response_model=DataEnvelope[HabitOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Add a daily habit to a plan (staff who may change the plan)",
)
async def add_habit(
    plan_id: PlanIdPath, body: HabitIn, actor: StaffUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[HabitOut]:
    habit = await schedules_service.add_habit(session, actor, plan_id, body.to_draft(), clock.now())
    return ok(HabitOut.model_validate(habit))


@router.post(
    "/customers/{customerId}/habits",
    response_model=DataEnvelope[HabitOut],
    status_code=201,
    responses=error_responses(400, 401, 404, 422),
    summary="Give a customer a daily habit of their own (the customer, their coach, admins)",
)
async def add_customer_habit(
    customer_id: CustomerIdPath,
    body: HabitIn,
    actor: CurrentUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[HabitOut]:
    habit = await schedules_service.add_customer_habit(
        session, actor, customer_id, body.to_draft(), clock.now()
    )
    return ok(HabitOut.model_validate(habit))


@router.put(
    "/me/timezone",
    response_model=DataEnvelope[TimezoneOut],
    responses=error_responses(400, 401, 422),
    summary="Set the IANA time zone your days are counted in (yourself)",
)
async def set_timezone(
    body: TimezoneIn, actor: CurrentUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[TimezoneOut]:
    name = await schedules_service.set_timezone(session, actor.id, body.timezone, clock.now())
    return ok(TimezoneOut(timezone=name))
