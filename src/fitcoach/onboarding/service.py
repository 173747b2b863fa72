"""Onboarding rules: one current questionnaire version at a time; an intake needs consent,
answers the version it names (which must be current; none named, the current one) and only what
that version asks; each intake is kept and rewrites the customer's profile, whose risk flags
follow from the health flags; the answer recommends catalog programs."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service, changes_between
from fitcoach.catalog.recommendations.service import Recommendation, recommendations_service
from fitcoach.models import Actor, CustomerProfile, OnboardingIntake, Questionnaire, User
from fitcoach.onboarding.answers import QuestionnaireRules
from fitcoach.onboarding.exceptions import (
    ConsentRequired,
    NoCurrentQuestionnaire,
    ProfileRequired,
    QuestionnaireConflict,
    RetiredQuestionnaireVersion,
    UnknownAnswers,
    UnknownQuestionnaireVersion,
)
from fitcoach.onboarding.repository import (
    CURRENT,
    RETIRED,
    profile_repository,
    questionnaire_repository,
)
from fitcoach.users.service import user_service

RECOMMENDATION_LIMIT = 10


@dataclass(frozen=True)
class Intake:
    """A customer's answers to a questionnaire version (None: the current one), checked here
    against what that version asks."""

    questionnaire_version: int | None
    goals: Sequence[str]
    preferences: Mapping[str, Any]
    health_flags: Sequence[str]
    consent_accepted: bool | None
    client_ip: str | None


@dataclass(frozen=True)
class IntakeOutcome:
    profile: CustomerProfile
    recommendations: list[Recommendation]


def _answered_fields(profile: CustomerProfile | None) -> dict[str, object]:
    if profile is None:
        return {}
    return {
        "questionnaireVersion": profile.questionnaire_version,
        "goals": list(profile.goals),
        "preferences": dict(profile.preferences),
        "healthFlags": list(profile.health_flags),
        "riskFlags": list(profile.risk_flags),
    }


class OnboardingService:
    async def current_questionnaire(self, session: AsyncSession) -> Questionnaire:
        questionnaire = await questionnaire_repository.current(session)
        if questionnaire is None:
            raise NoCurrentQuestionnaire()
        return questionnaire

    async def questionnaires(self, session: AsyncSession) -> list[Questionnaire]:
        return await questionnaire_repository.all(session)

    async def create_questionnaire(
        self, session: AsyncSession, admin: Actor, questions: Mapping[str, Any], now: datetime
    ) -> Questionnaire:
        """The new version, asking `questions` (the document as stored and shown), becomes
        current and the previous one is retired. The current row is locked, so concurrent
        creations number their versions one after the other."""
        previous = await questionnaire_repository.current(session, for_update=True)
        version = await questionnaire_repository.latest_version(session) + 1
        if previous is not None:
            previous.status = RETIRED
        questionnaire = Questionnaire(
            version=version,
            status=CURRENT,
            questions=dict(questions),
            created_by_id=admin.id,
        )
        try:
            # Retire first: the partial unique index admits one current version at a time.
            await session.flush()
            questionnaire_repository.add(session, questionnaire)
            await session.flush()
        except IntegrityError as exc:
            raise QuestionnaireConflict() from exc
        audit_service.record(
            session,
            AuditEvent(
                action="questionnaire.created",
                resource_type="questionnaire",
                resource_id=questionnaire.id,
                changes=changes_between({}, {"version": version, "status": CURRENT}),
                details={"retiredVersion": previous.version if previous is not None else None},
            ),
            now,
        )
        return questionnaire

    async def submit_intake(
        self,
        session: AsyncSession,
        customer: User,
        intake: Intake,
        now: datetime,
    ) -> IntakeOutcome:
        if intake.consent_accepted is not True:
            raise ConsentRequired()
        questionnaire = await self._answered_questionnaire(session, intake.questionnaire_version)
        answers = QuestionnaireRules(questionnaire.questions).check(
            intake.goals, intake.preferences, intake.health_flags
        )
        client_ip = intake.client_ip
        # Locked, so two intakes of one customer at once write the profile one after the other.
        await user_service.lock(session, customer.id)
        profile = await profile_repository.of_user(session, customer.id)
        before = _answered_fields(profile)
        if profile is None:
            profile = CustomerProfile(user_id=customer.id)
            profile_repository.add(session, profile)
        profile.questionnaire_version = questionnaire.version
        profile.goals = [goal.value for goal in answers.goals]
        profile.preferences = answers.preferences
        profile.health_flags = answers.health_flags
        profile.risk_flags = [risk.value for risk in answers.risk_flags]
        profile.consent_accepted_at = now
        profile.consent_version = questionnaire.version
        profile.consent_ip = client_ip
        profile.updated_at = now
        kept = OnboardingIntake(
            user_id=customer.id,
            questionnaire_version=questionnaire.version,
            goals=profile.goals,
            preferences=profile.preferences,
            health_flags=profile.health_flags,
            risk_flags=profile.risk_flags,
            consent_accepted_at=now,
            consent_ip=client_ip,
        )
        profile_repository.add_intake(session, kept)
        await session.flush()
        await profile_repository.replace_risk_flags(session, customer.id, profile.risk_flags)
        audit_service.record(
            session,
            AuditEvent(
                action="onboarding.consent.recorded",
                resource_type="customer_profile",
                resource_id=profile.id,
                details={
                    "questionnaireVersion": questionnaire.version,
                    "acceptedAt": now.isoformat(),
                },
            ),
            now,
        )
        audit_service.record(
            session,
            AuditEvent(
                action="onboarding.intake.submitted",
                resource_type="customer_profile",
                resource_id=profile.id,
                changes=changes_between(before, _answered_fields(profile)),
                details={"intakeId": str(kept.id), "userId": str(customer.id)},
            ),
            now,
        )
        recommendations = await recommendations_service.recommend(
            session,
            goals=answers.goals,
            preferences=answers.preferences,
            risk_flags=answers.risk_flags,
            limit=RECOMMENDATION_LIMIT,
        )
        return IntakeOutcome(profile=profile, recommendations=recommendations)

    async def _answered_questionnaire(
        self, session: AsyncSession, version: int | None
    ) -> Questionnaire:
        """The version an intake answers, which must be current; None means the current one."""
        if version is None:
            return await self.current_questionnaire(session)
        questionnaire = await questionnaire_repository.by_version(session, version)
        if questionnaire is None:
            raise UnknownQuestionnaireVersion(version)
        if questionnaire.status != CURRENT:
            current = await self.current_questionnaire(session)
            raise RetiredQuestionnaireVersion(questionnaire.version, current.version)
        return questionnaire

    async def profile_of(self, session: AsyncSession, user_id: uuid.UUID) -> CustomerProfile | None:
        return await profile_repository.of_user(session, user_id)

    async def change_preferences(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        changes: Mapping[str, Any],
        now: datetime,
    ) -> CustomerProfile:
        """Set the given answers and remove those given as null, each checked against the
        current questionnaire. Only a customer who has onboarded has preferences to change."""
        profile = await profile_repository.of_user(session, user_id)
        if profile is None:
            raise ProfileRequired()
        questionnaire = await self.current_questionnaire(session)
        rules = QuestionnaireRules(questionnaire.questions)
        given = {key: value for key, value in changes.items() if value is not None}
        # null removes an answer, even to a question the current version no longer asks.
        removed = [key for key, value in changes.items() if value is None]
        rules.check_preferences(given)
        unknown = [key for key in removed if key not in profile.preferences and not rules.asks(key)]
        if unknown:
            raise UnknownAnswers("preferences", unknown)
        preferences = {**profile.preferences, **given}
        for key in removed:
            preferences.pop(key, None)
        profile.preferences = preferences
        profile.updated_at = now
        await session.flush()
        return profile


onboarding_service = OnboardingService()
