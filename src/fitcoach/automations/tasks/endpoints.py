"""/api/v1/tasks: the tasks automations created for coaches. A coach sees and completes their
own; an admin anyone's (filtered by coach or customer)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query

from fitcoach.access.dependencies import StaffUser
from fitcoach.automations.tasks.repository import TaskFilter, TaskState
from fitcoach.automations.tasks.schemas import TaskOut, TaskPatch
from fitcoach.automations.tasks.service import tasks_service
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import TaskIdPath

router = APIRouter(prefix="/tasks", tags=["automations"])


@router.get(
    "",
    response_model=DataEnvelope[Page[TaskOut]],
    responses=error_responses(401, 403, 422),
    summary="Coach tasks, open ones due soonest first (a coach: their own; an admin: any coach's)",
)
async def list_tasks(
    staff: StaffUser,
    session: ReadSession,
    page: PageRequestDep,
    coach_id: Annotated[
        uuid.UUID | None,
        Query(alias="coachId", description="Only this coach's tasks (a coach sees only theirs)"),
    ] = None,
    customer_id: Annotated[
        uuid.UUID | None, Query(alias="customerId", description="Only tasks about this customer")
    ] = None,
    state: Annotated[TaskState | None, Query(description="open or done")] = None,
) -> DataEnvelope[Page[TaskOut]]:
    filters = TaskFilter(coach_id=coach_id, customer_id=customer_id, state=state)
    views, total = await tasks_service.page(session, staff, filters, page)
    return ok(Page[TaskOut].of([TaskOut.of(view) for view in views], total, page))


@router.patch(
    "/{taskId}",
    response_model=DataEnvelope[TaskOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Complete or reopen a task (its coach, or an admin)",
)
async def update_task(
    task_id: TaskIdPath,
    body: Annotated[TaskPatch, Body()],
    staff: StaffUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[TaskOut]:
    view = await tasks_service.set_completed(session, staff, task_id, body.completed, clock.now())
    return ok(TaskOut.of(view))
