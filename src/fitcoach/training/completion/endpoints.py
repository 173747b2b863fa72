"""Logging a plan item or habit of a plan you follow (customers, for themselves)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.access.principal import Principal
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.paths import HabitIdPath, ItemIdPath, PlanIdPath
from fitcoach.training.completion.metrics import LogStatus
from fitcoach.training.completion.schemas import CompletionIn, CompletionOut
from fitcoach.training.completion.service import CompletionCommand, completion_service
from fitcoach.training.dependencies import CustomerUser

router = APIRouter(tags=["training"])


@router.patch(
    "/plans/{planId}/items/{itemId}",
    response_model=DataEnvelope[CompletionOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary=(
        "Mark an item or habit of a plan you follow completed, skipped or back to pending for "
        "a local day (default today); repeating it changes nothing (customers)"
    ),
)
async def log_item(
    plan_id: PlanIdPath,
    item_id: ItemIdPath,
    body: CompletionIn,
    customer: CustomerUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[CompletionOut]:
    command = CompletionCommand(plan_id=plan_id, item_id=item_id, entry=body.to_entry())
    return await _logged(session, customer, command, clock.now())


@router.patch(
    "/me/habits/{habitId}",
    response_model=DataEnvelope[CompletionOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary=(
        "Mark a habit of your own completed, skipped or back to pending for a local day (customers)"
    ),
)
async def log_own_habit(
    habit_id: HabitIdPath,
    body: CompletionIn,
    customer: CustomerUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[CompletionOut]:
    command = CompletionCommand(plan_id=None, item_id=habit_id, entry=body.to_entry())
    return await _logged(session, customer, command, clock.now())


async def _logged(
    session: AsyncSession, customer: Principal, command: CompletionCommand, now: datetime
) -> DataEnvelope[CompletionOut]:
    result = await completion_service.log(session, customer, command, now)
    log = result.log
    return ok(
        CompletionOut(
            plan_id=command.plan_id,
            item_id=command.item_id,
            item_type=result.subject_type.value,
            date=result.local_date,
            timezone=result.timezone,
            status=LogStatus(log.status) if log else LogStatus.pending,
            logged_at=log.logged_at if log else None,
            metrics=log.metrics if log else {},
            feedback=log.feedback if log else None,
            streak=result.streak,
        )
    )
