"""The queries of API keys, newest first, with the name of the admin who created each."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest
from fitcoach.models import ApiKey, User


class ApiKeysRepository:
    async def page(
        self, session: AsyncSession, page: PageRequest
    ) -> tuple[list[tuple[ApiKey, str | None]], int]:
        total = (await session.execute(select(func.count()).select_from(ApiKey))).scalar_one()
        rows = await session.execute(
            select(ApiKey, User.name)
            .outerjoin(User, User.id == ApiKey.created_by_id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
            .offset(page.offset)
            .limit(page.page_size)
        )
        return [(key, name) for key, name in rows.all()], total

    async def get_for_update(self, session: AsyncSession, key_id: uuid.UUID) -> ApiKey | None:
        result = await session.execute(select(ApiKey).where(ApiKey.id == key_id).with_for_update())
        return result.scalar_one_or_none()


api_keys_repository = ApiKeysRepository()
