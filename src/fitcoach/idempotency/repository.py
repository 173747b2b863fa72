"""The idempotency keys' queries: find a key, claim a new one."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import IdempotencyKey

# How long a key is remembered: past any client's retries, short enough to keep the table small.
KEY_LIFETIME = timedelta(hours=24)


class IdempotencyRepository:
    async def find(self, session: AsyncSession, owner_id: uuid.UUID, key: str) -> IdempotencyKey:
        # populate_existing: after a lost claim, read the winner's committed row, not the
        # identity map's.
        statement = (
            select(IdempotencyKey)
            .where(IdempotencyKey.owner_id == owner_id, IdempotencyKey.key == key)
            .execution_options(populate_existing=True)
        )
        return (await session.execute(statement)).scalar_one()

    async def claim(
        self, session: AsyncSession, claim: IdempotencyKey, now: datetime
    ) -> IdempotencyKey | None:
        """Insert `claim` in the session's transaction; None if the key is claimed already. On
        PostgreSQL a concurrent claim of the same key waits on the primary key until the first
        transaction ends, so of two requests only one goes on to the effect; the other sees the
        first one's committed answer. A key past its lifetime is forgotten and claimed anew."""
        existing = await session.get(IdempotencyKey, (claim.owner_id, claim.key))
        if existing is not None and existing.created_at > now - KEY_LIFETIME:
            return None
        if existing is not None:
            await session.delete(existing)
            await session.flush()
        try:
            async with session.begin_nested():
                session.add(claim)
        except IntegrityError:
            return None
        return claim


idempotency_repository = IdempotencyRepository()
