"""Plan endpoints: staff (admins and coaches) write plans; anyone signed in reads the plans they
may see, and each user their training and diet plan for their subscription."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.access.dependencies import CurrentUser, StaffUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.models import Actor
from fitcoach.models.enums import PlanType
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
    session: AsyncSession, actor: Actor, user_id: uuid.UUID, plan_type: PlanType, now: datetime
) -> DataEnvelope[PlanForUserOut]:
    shown = await plans_service.for_user(session, actor, user_id, plan_type, now)
    return ok(
        PlanForUserOut(
            plan=PlanOut.of(shown.plan),
            source=shown.source,
            subscription_type=shown.subscription_type,
        )
    )


# The two routes below are declared before "/{plan_id}" so that they are matched first.
@router.get(
    "/training/{user_id}",
    response_model=DataEnvelope[PlanForUserOut],
    responses=error_responses(401, 403, 404, 422),
    summary=(
        "The user's training plan for their subscription: free, the default plan; paid, their "
        "newest custom plan, else the default (the user themself, an assigned coach or an admin)"
    ),
)
async def training_plan_of_user(
    user_id: uuid.UUID, actor: CurrentUser, session: ReadSession, clock: ClockDep
) -> DataEnvelope[PlanForUserOut]:
    return await _plan_for_user(session, actor, user_id, PlanType.training, clock.now())


@router.get(
    "/diet/{user_id}",
    response_model=DataEnvelope[PlanForUserOut],
    responses=error_responses(401, 403, 404, 422),
    summary=(
        "The user's diet plan for their subscription: free, the default plan; paid, their "
        "newest custom plan, else the default (the user themself, an assigned coach or an admin)"
    ),
)
async def diet_plan_of_user(
    user_id: uuid.UUID, actor: CurrentUser, session: ReadSession, clock: ClockDep
) -> DataEnvelope[PlanForUserOut]:
    return await _plan_for_user(session, actor, user_id, PlanType.diet, clock.now())


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
) -> DataEnvelope[PlanOut]:
    plan = await plans_service.create(session, author, body, clock.now())
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
    plan_type: Annotated[PlanType | None, Query(alias="type")] = None,
    user_id: Annotated[
        uuid.UUID | None, Query(alias="userId", description="Custom plans of this user")
    ] = None,
    template: Annotated[
        bool | None, Query(description="true: templates only; false: custom plans only")
    ] = None,
    sort: PlanSort = "-createdAt",
) -> DataEnvelope[Page[PlanSummaryOut]]:
    listing = await plans_service.list_readable(
        session,
        actor,
        plan_type=plan_type,
        owner_id=user_id,
        template=template,
        sort=sort,
        page=page,
    )
    summaries = [
        PlanSummaryOut.of(plan, listing.item_counts.get(plan.id, 0)) for plan in listing.plans
    ]
    return ok(Page[PlanSummaryOut].of(summaries, listing.total, page))


@router.get(
    "/{plan_id}",
    response_model=DataEnvelope[PlanOut],
    responses=error_responses(401, 403, 404, 422),
    summary=(
        "A plan with its items (admin: any; coach: templates and their assigned customers'; "
        "customer: their custom plans and the default plans)"
    ),
)
async def get_plan(
    plan_id: uuid.UUID, actor: CurrentUser, session: ReadSession
) -> DataEnvelope[PlanOut]:
    return ok(PlanOut.of(await plans_service.get(session, actor, plan_id)))


@router.patch(
    "/{plan_id}",
    response_model=DataEnvelope[PlanOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary=(
        "Rename, describe or replace the items of a plan (admin: any; coach: their own "
        "templates and their assigned customers' plans)"
    ),
)
async def update_plan(
    plan_id: uuid.UUID,
    body: PlanUpdateIn,
    actor: StaffUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[PlanOut]:
    plan = await plans_service.update(session, actor, plan_id, body, clock.now())
    return ok(PlanOut.of(plan))


@router.delete(
    "/{plan_id}",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 409, 422),
    summary=(
        "Delete a plan that is not a configured default (admin: any; coach: their own "
        "templates and their assigned customers' plans)"
    ),
)
async def delete_plan(
    plan_id: uuid.UUID, actor: StaffUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await plans_service.delete(session, actor, plan_id, clock.now())
    return said("Plan deleted successfully")
