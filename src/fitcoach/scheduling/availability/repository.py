"""The queries of coaches' availability."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import CoachAvailability


class AvailabilityRepository:
    async def of_coach(
        self, session: AsyncSession, coach_id: uuid.UUID
    ) -> CoachAvailability | None:
        return await session.get(CoachAvailability, coach_id)

    def add(self, session: AsyncSession, availability: CoachAvailability) -> None:
        session.add(availability)


availability_repository = AvailabilityRepository()
