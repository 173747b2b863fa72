"""Plan endpoints: staff (admins and coaches) write plans; anyone signed in reads the plans they
may see, and each user their training and diet plan for their subscription."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body

from fitcoach.access.dependencies import CurrentUser, SignedIn, SignedInRead, StaffUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.location import Created
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import PlanIdPath, UserIdPath
from fitcoach.models.enums import PlanType
from fitcoach.plans.dependencies import PlanFilterDep
from fitcoach.plans.schemas import (
    PlanForUserOut,
    PlanIn,
    PlanOut,
    PlanSort,
    PlanSummaryOut,
    PlanUpdateIn,
)
from fitcoach.plans.service import plans_service

router = APIRouter(prefix="/plans", tags=["plans"])


async def _plan_for_user(
    caller: SignedIn, user_id: uuid.UUID, plan_type: PlanType
) -> DataEnvelope[PlanForUserOut]:
    shown = await plans_service.for_user(
        caller.session, caller.user, user_id, plan_type, caller.now
    )
    return ok(
        PlanForUserOut(
            plan=PlanOut.of(shown.plan),
            source=shown.source,
            subscription_type=shown.subscription_type,
        )
    )


# The two routes below are declared before "/{planId}" so that they are matched first.
@router.get(
    "/training/{userId}",
    response_model=DataEnvelope[PlanForUserOut],
    responses=error_responses(401, 403, 404, 422),
    summary=(
        "The user's training plan for their subscription: free, the default plan; paid, their "
        "newest custom plan, else the default (the user themself, an assigned coach or an admin)"
    ),
)
async def training_plan_of_user(
    user_id: UserIdPath, caller: SignedInRead
) -> DataEnvelope[PlanForUserOut]:
    return await _plan_for_user(caller, user_id, PlanType.training)


@router.get(
    "/diet/{userId}",
    response_model=DataEnvelope[PlanForUserOut],
    responses=error_responses(401, 403, 404, 422),
    summary=(
        "The user's diet plan for their subscription: free, the default plan; paid, their "
        "newest custom plan, else the default (the user themself, an assigned coach or an admin)"
    ),
)
async def diet_plan_of_user(
    user_id: UserIdPath, caller: SignedInRead
) -> DataEnvelope[PlanForUserOut]:
    return await _plan_for_user(caller, user_id, PlanType.diet)


@router.post(
    "",
    response_model=DataEnvelope[PlanOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 422),
    summary=(
        "Create a template, or with userId a customer's custom plan (admin, or a coach for a "
        "customer assigned to them)"
    ),
)
async def create_plan(
    body: Annotated[PlanIn, Body()],
    author: StaffUser,
    session: DbSession,
    clock: ClockDep,
    created: Created,
) -> DataEnvelope[PlanOut]:
    plan = await plans_service.create(session, author, body.to_draft(), clock.now())
    created.route("get_plan", planId=plan.id)
    return ok(PlanOut.of(plan))


@router.get(
    "",
    response_model=DataEnvelope[Page[PlanSummaryOut]],
    responses=error_responses(401, 403, 422),
    summary=(
        "List plans without their items (admin: all; coach: templates and the plans of the "
        "customers assigned to them)"
    ),
)
async def list_plans(
    actor: StaffUser,
    session: ReadSession,
    page: PageRequestDep,
    where: PlanFilterDep,
    sort: PlanSort = "-createdAt",
) -> DataEnvelope[Page[PlanSummaryOut]]:
    listing = await plans_service.list_readable(session, actor, where, sort, page)
    summaries = [
        PlanSummaryOut.of(plan, listing.item_counts.get(plan.id, 0)) for plan in listing.plans
    ]
    return ok(Page[PlanSummaryOut].of(summaries, listing.total, page))


@router.get(
    "/{planId}",
    response_model=DataEnvelope[PlanOut],
    responses=error_responses(401, 403, 404, 422),
    summary=(
        "A plan with its items (admin: any; coach: templates and their assigned customers'; "
        "customer: their custom plans and the default plans)"
    ),
)
async def get_plan(
    plan_id: PlanIdPath, actor: CurrentUser, session: ReadSession
) -> DataEnvelope[PlanOut]:
    return ok(PlanOut.of(await plans_service.get(session, actor, plan_id)))


@router.patch(
    "/{planId}",
    response_model=DataEnvelope[PlanOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary=(
        "Rename, describe or replace the items of a plan (admin: any; coach: their own "
        "templates and their assigned customers' plans)"
    ),
)
async def update_plan(
    plan_id: PlanIdPath,
    body: PlanUpdateIn,
    actor: StaffUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[PlanOut]:
    plan = await plans_service.update(session, actor, plan_id, body.to_changes(), clock.now())
    return ok(PlanOut.of(plan))


@router.delete(
    "/{planId}",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 409, 422),
    summary=(
        "Delete a plan that is not a configured default (admin: any; coach: their own "
        "templates and their assigned customers' plans)"
    ),
)
async def delete_plan(
    plan_id: PlanIdPath, actor: StaffUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await plans_service.delete(session, actor, plan_id, clock.now())
    return said("Plan deleted successfully")
