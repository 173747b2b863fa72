"""Admin endpoints choosing the default training and diet plans. Admins only."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import MessageEnvelope, error_responses, said
from fitcoach.models.enums import PlanType
from fitcoach.plans.schemas import DefaultPlanIn
from fitcoach.plans.service import plans_service

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post(
    "/settings/training-plan/default",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Set the training plan free users get, and paid users without a custom one (admin)",
)
async def set_default_training_plan(
    body: DefaultPlanIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await plans_service.set_default(session, admin, PlanType.training, body.plan_id, clock.now())
    return said("Default training plan updated successfully")


@router.post(
    "/settings/diet-plan/default",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Set the diet plan free users get, and paid users without a custom one (admin)",
)
async def set_default_diet_plan(
    body: DefaultPlanIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await plans_service.set_default(session, admin, PlanType.diet, body.plan_id, clock.now())
    return said("Default diet plan updated successfully")
