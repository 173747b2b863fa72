"""Every query on linked social identities."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import UserIdentity


class IdentityRepository:
    async def find(self, session: AsyncSession, provider: str, subject: str) -> UserIdentity | None:
        result = await session.execute(
            select(UserIdentity).where(
                UserIdentity.provider == provider, UserIdentity.subject == subject
            )
        )
        return result.scalar_one_or_none()

    def add(self, session: AsyncSession, identity: UserIdentity) -> None:
        session.add(identity)


identity_repository = IdentityRepository()
