"""Substituting a plan item's exercise (customers, for themselves), listing the safe
alternatives, and reverting (the customer, their coach or an admin)."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import CurrentUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.paths import ItemIdPath, PlanIdPath, SubstitutionIdPath
from fitcoach.training.dependencies import CustomerUser
from fitcoach.training.exercises.schemas import ExerciseOut
from fitcoach.training.substitutions.schemas import (
    AlternativeOut,
    SubstitutedItemOut,
    SubstitutionIn,
    SubstitutionOut,
)
from fitcoach.training.substitutions.service import substitutions_service

router = APIRouter(tags=["training"])


@router.post(
    "/plans/{planId}/substitutions",
    response_model=DataEnvelope[SubstitutedItemOut],
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Do a safe library alternative instead of a plan item's exercise (customers)",
)
async def substitute(
    plan_id: PlanIdPath,
    body: SubstitutionIn,
    customer: CustomerUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[SubstitutedItemOut]:
    done = await substitutions_service.substitute(
        session, customer, plan_id, (body.item_id, body.alternative_id, body.reason), clock.now()
    )
    return ok(
        SubstitutedItemOut(
            id=done.item.id,
            plan_id=plan_id,
            day=done.item.day,
            sets=done.item.sets,
            reps=done.item.reps,
            exercise=ExerciseOut.of(done.exercise),
            substitution=SubstitutionOut(
                id=done.substitution.id,
                original_exercise=done.original.name,
                reason=done.substitution.reason,
                created_at=done.substitution.created_at,
            ),
        )
    )


@router.get(
    "/plans/{planId}/items/{itemId}/alternatives",
    response_model=DataEnvelope[list[AlternativeOut]],
    responses=error_responses(401, 403, 404, 422),
    summary="The safe alternatives to a plan item's exercise, ranked, with why (customers)",
)
async def alternatives(
    plan_id: PlanIdPath, item_id: ItemIdPath, customer: CustomerUser, session: ReadSession
) -> DataEnvelope[list[AlternativeOut]]:
    ranked = await substitutions_service.safe_alternatives(session, customer, plan_id, item_id)
    return ok(
        [AlternativeOut(exercise=ExerciseOut.of(one.exercise), reason=one.reason) for one in ranked]
    )


@router.delete(
    "/plans/{planId}/substitutions/{substitutionId}",
    response_model=MessageEnvelope,
    responses=error_responses(401, 404, 422),
    summary="Put the plan's exercise back (the customer, their coach or an admin)",
)
async def revert(
    plan_id: PlanIdPath,
    substitution_id: SubstitutionIdPath,
    actor: CurrentUser,
    session: DbSession,
    clock: ClockDep,
) -> MessageEnvelope:
    await substitutions_service.revert(session, actor, plan_id, substitution_id, clock.now())
    return said("Substitution reverted")
