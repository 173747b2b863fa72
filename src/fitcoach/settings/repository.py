"""Every query on business settings."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import Setting


class SettingRepository:
    async def all(self, session: AsyncSession) -> dict[str, str]:
        result = await session.execute(select(Setting.key, Setting.value))
        return dict(result.all())

    async def get(self, session: AsyncSession, key: str) -> str | None:
        result = await session.execute(select(Setting.value).where(Setting.key == key))
        return result.scalar_one_or_none()

    async def upsert(
        self, session: AsyncSession, key: str, value: str, actor_id: uuid.UUID | None, now: datetime
    ) -> None:
        """One statement, so concurrent updates of a key never collide on its primary key: the
        last writer wins and the row always holds one whole value."""
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(Setting).values(
            key=key, value=value, updated_by_id=actor_id, updated_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=[Setting.key],
            set_={"value": value, "updated_by_id": actor_id, "updated_at": now},
        )
        await session.execute(statement)


setting_repository = SettingRepository()
