"""The queries of calendar-feed tokens."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import CalendarFeedToken


class FeedRepository:
    async def of_user(self, session: AsyncSession, user_id: uuid.UUID) -> CalendarFeedToken | None:
        return await session.get(CalendarFeedToken, user_id)

    async def by_hash(self, session: AsyncSession, token_hash: str) -> CalendarFeedToken | None:
        found: CalendarFeedToken | None = await session.scalar(
            select(CalendarFeedToken).where(CalendarFeedToken.token_hash == token_hash)
        )
        return found

    def add(self, session: AsyncSession, row: CalendarFeedToken) -> None:
        session.add(row)


feed_repository = FeedRepository()
