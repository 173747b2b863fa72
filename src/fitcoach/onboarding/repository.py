"""Every query on questionnaires, intakes and customer profiles."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import CustomerProfile, CustomerRiskFlag, OnboardingIntake, Questionnaire

CURRENT = "current"
RETIRED = "retired"


class QuestionnaireRepository:
    async def current(
        self, session: AsyncSession, *, for_update: bool = False
    ) -> Questionnaire | None:
        statement = select(Questionnaire).where(Questionnaire.status == CURRENT)
        if for_update:
            statement = statement.with_for_update()
        return (await session.execute(statement)).scalar_one_or_none()

    async def by_version(self, session: AsyncSession, version: int) -> Questionnaire | None:
        result = await session.execute(
            select(Questionnaire).where(Questionnaire.version == version)
        )
        return result.scalar_one_or_none()

    async def all(self, session: AsyncSession) -> list[Questionnaire]:
        result = await session.execute(select(Questionnaire).order_by(Questionnaire.version.desc()))
        return list(result.scalars())

    async def latest_version(self, session: AsyncSession) -> int:
        return int(await session.scalar(select(func.max(Questionnaire.version))) or 0)

    def add(self, session: AsyncSession, questionnaire: Questionnaire) -> None:
        session.add(questionnaire)


class ProfileRepository:
    async def of_user(self, session: AsyncSession, user_id: uuid.UUID) -> CustomerProfile | None:
        result = await session.execute(
            select(CustomerProfile).where(CustomerProfile.user_id == user_id)
        )
        return result.scalar_one_or_none()

    def add(self, session: AsyncSession, profile: CustomerProfile) -> None:
        session.add(profile)

    def add_intake(self, session: AsyncSession, intake: OnboardingIntake) -> None:
        session.add(intake)

    async def replace_risk_flags(
        self, session: AsyncSession, user_id: uuid.UUID, flags: Sequence[str]
    ) -> None:
        await session.execute(delete(CustomerRiskFlag).where(CustomerRiskFlag.user_id == user_id))
        if flags:
            await session.execute(
                insert(CustomerRiskFlag), [{"user_id": user_id, "flag": flag} for flag in flags]
            )


questionnaire_repository = QuestionnaireRepository()
profile_repository = ProfileRepository()
