"""Onboarding endpoints: the current questionnaire (anyone signed in), a customer's intake, and
the admins' questionnaire versions (kept here, under /admin/questionnaires, so that the admin
package does not depend on onboarding)."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser, CurrentUser
from fitcoach.catalog.recommendations.service import Recommendation
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClientIp, ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.location import Created
from fitcoach.onboarding.dependencies import CustomerUser
from fitcoach.onboarding.schemas import (
    IntakeIn,
    IntakeOut,
    QuestionnaireIn,
    QuestionnaireOut,
    RecommendedProgramOut,
)
from fitcoach.onboarding.service import onboarding_service

router = APIRouter(tags=["onboarding"])


def _program_out(pick: Recommendation) -> RecommendedProgramOut:
    product = pick.product
    return RecommendedProgramOut.model_validate(
        {
            "productId": product.id,
            "title": product.title,
            "priceMinor": product.price_minor,
            "currency": product.currency,
            "durationWeeks": product.duration_weeks,
            "level": product.level,
            "score": pick.score,
            "reason": pick.reason,
        }
    )


@router.get(
    "/onboarding/questionnaire",
    response_model=DataEnvelope[QuestionnaireOut],
    responses=error_responses(401, 404),
    summary="The current questionnaire: goals, preference questions and health flags",
)
async def current_questionnaire(
    user: CurrentUser, session: ReadSession
) -> DataEnvelope[QuestionnaireOut]:
    return ok(QuestionnaireOut.of(await onboarding_service.current_questionnaire(session)))


@router.post(
    "/onboarding/intake",
    response_model=DataEnvelope[IntakeOut],
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary=(
        "Answer the current questionnaire (customer): consent is recorded, the profile created "
        "or updated, and matching programs recommended"
    ),
)
async def submit_intake(
    body: IntakeIn,
    customer: CustomerUser,
    session: DbSession,
    clock: ClockDep,
    client_ip: ClientIp,
) -> DataEnvelope[IntakeOut]:
    outcome = await onboarding_service.submit_intake(
        session, customer, body.to_intake(client_ip), clock.now()
    )
    return ok(
        IntakeOut(
            profile_id=outcome.profile.id,
            recommended_programs=[_program_out(pick) for pick in outcome.recommendations],
        )
    )


@router.post(
    "/admin/questionnaires",
    response_model=DataEnvelope[QuestionnaireOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 409, 422),
    summary=(
        "Create a questionnaire version; it becomes current and the previous is retired (admin)"
    ),
)
async def create_questionnaire(
    body: QuestionnaireIn, admin: AdminUser, session: DbSession, clock: ClockDep, created: Created
) -> DataEnvelope[QuestionnaireOut]:
    questionnaire = await onboarding_service.create_questionnaire(
        session, admin, body.stored(), clock.now()
    )
    # The new version is the current one from now on, served at the questionnaire's path.
    created.route("current_questionnaire")
    return ok(QuestionnaireOut.of(questionnaire))


@router.get(
    "/admin/questionnaires",
    response_model=DataEnvelope[list[QuestionnaireOut]],
    responses=error_responses(401, 403),
    summary="Every questionnaire version, newest first (admin)",
)
async def list_questionnaires(
    admin: AdminUser, session: ReadSession
) -> DataEnvelope[list[QuestionnaireOut]]:
    return ok(
        [QuestionnaireOut.of(item) for item in await onboarding_service.questionnaires(session)]
    )
