"""Every query on business settings."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.db.cache import topics
from fitcoach.db.cache.reads import CachedRead
from fitcoach.models import Setting

_ALL: CachedRead[Mapping[str, str]] = CachedRead(
    "settings", topic=topics.SETTINGS, tables=(Setting.__tablename__,), max_groups=1
)


class SettingRepository:
    async def all(self, session: AsyncSession) -> Mapping[str, str]:
        """Every stored setting, read-only: the cached mapping is shared by every request."""

        async def load() -> Mapping[str, str]:
            result = await session.execute(select(Setting.key, Setting.value))
            return MappingProxyType(dict(result.all()))

        return await _ALL.read(session, "all", None, load)

    async def get(self, session: AsyncSession, key: str) -> str | None:
        result = await session.execute(select(Setting.value).where(Setting.key == key))
        return result.scalar_one_or_none()

    async def insert_if_absent(
        self, session: AsyncSession, key: str, value: str, actor_id: uuid.UUID | None
    ) -> bool:
        """Create the key's row; False when it exists. A concurrent creator's row counts as
        existing once that creator commits: PostgreSQL makes this statement wait for it."""
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(Setting)
            .values(key=key, value=value, updated_by_id=actor_id)
            .on_conflict_do_nothing(index_elements=[Setting.key])
            .returning(Setting.key)
        )
        return (await session.execute(statement)).scalar_one_or_none() is not None

    async def lock_value(self, session: AsyncSession, key: str) -> str:
        """The existing row's value, locked until commit (PostgreSQL)."""
        result = await session.execute(
            select(Setting.value).where(Setting.key == key).with_for_update()
        )
        return result.scalar_one()

    async def update(
        self, session: AsyncSession, key: str, value: str, actor_id: uuid.UUID | None
    ) -> None:
        await session.execute(
            update(Setting).where(Setting.key == key).values(value=value, updated_by_id=actor_id)
        )


setting_repository = SettingRepository()
