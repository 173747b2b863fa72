"""Reading and writing business settings, with their defaults."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.settings.repository import setting_repository


class SettingKey(StrEnum):
    DEFAULT_FREE_DAYS = "DEFAULT_FREE_DAYS"
    DEFAULT_TRAINING_PLAN_ID = "DEFAULT_TRAINING_PLAN_ID"
    DEFAULT_DIET_PLAN_ID = "DEFAULT_DIET_PLAN_ID"


DEFAULT_FREE_DAYS = 7
_DEFAULTS: dict[SettingKey, str | None] = {
    SettingKey.DEFAULT_FREE_DAYS: str(DEFAULT_FREE_DAYS),
    SettingKey.DEFAULT_TRAINING_PLAN_ID: None,
    SettingKey.DEFAULT_DIET_PLAN_ID: None,
}


class SettingService:
    async def all(self, session: AsyncSession) -> dict[str, str | None]:
        stored = await setting_repository.all(session)
        return {key.value: stored.get(key.value, default) for key, default in _DEFAULTS.items()}

    async def free_days(self, session: AsyncSession) -> int:
        value = await setting_repository.get(session, SettingKey.DEFAULT_FREE_DAYS)
        return int(value) if value is not None else DEFAULT_FREE_DAYS

    async def default_plan_id(self, session: AsyncSession, key: SettingKey) -> uuid.UUID | None:
        value = await setting_repository.get(session, key)
        return uuid.UUID(value) if value else None

    async def set(
        self, session: AsyncSession, key: SettingKey, value: str, actor_id: uuid.UUID, now: datetime
    ) -> None:
        await setting_repository.upsert(session, key.value, value, actor_id, now)


setting_service = SettingService()
