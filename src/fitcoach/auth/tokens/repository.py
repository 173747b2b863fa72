"""Every query on sign-in sessions and their refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CursorResult, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import AuthSession, RefreshToken


class SessionRepository:
    def add_session(self, session: AsyncSession, auth_session: AuthSession) -> None:
        session.add(auth_session)

    def add_refresh_token(self, session: AsyncSession, token: RefreshToken) -> None:
        session.add(token)

    async def find_refresh_token(
        self, session: AsyncSession, token_hash: str
    ) -> RefreshToken | None:
        result = await session.execute(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash)
        )
        return result.scalar_one_or_none()

    async def get_session(self, session: AsyncSession, session_id: uuid.UUID) -> AuthSession | None:
        return await session.get(AuthSession, session_id)

    async def spend_live_refresh_token(
        self, session: AsyncSession, token_hash: str, now: datetime
    ) -> uuid.UUID | None:
        """Spend the token in one statement when it is unused, unexpired and its session not
        revoked: its session's id. None otherwise (the caller then finds out which)."""
        session_is_live = exists().where(
            AuthSession.id == RefreshToken.session_id, AuthSession.revoked_at.is_(None)
        )
        result = await session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.token_hash == token_hash,
                RefreshToken.used_at.is_(None),
                RefreshToken.expires_at > now,
                session_is_live,
            )
            .values(used_at=now)
            .returning(RefreshToken.session_id)
            .execution_options(synchronize_session=False)
        )
        session_id: uuid.UUID | None = result.scalar_one_or_none()
        return session_id

    async def spend_refresh_token(
        self, session: AsyncSession, token_id: uuid.UUID, now: datetime
    ) -> bool:
        """Mark the token used; False when a concurrent request used it first."""
        result: CursorResult[tuple[()]] = await session.execute(  # type: ignore[assignment]
            update(RefreshToken)
            .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def revoke_session(
        self, session: AsyncSession, session_id: uuid.UUID, now: datetime, reason: str
    ) -> None:
        await session.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
            .execution_options(synchronize_session=False)
        )

    async def revoke_user_sessions(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        now: datetime,
        reason: str,
        *,
        keep: uuid.UUID | None = None,
    ) -> None:
        statement = (
            update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
            .execution_options(synchronize_session=False)
        )
        if keep is not None:
            statement = statement.where(AuthSession.id != keep)
        await session.execute(statement)

    async def touch_session(
        self, session: AsyncSession, session_id: uuid.UUID, now: datetime
    ) -> uuid.UUID:
        """Mark the session used now; its user's id."""
        result = await session.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id)
            .values(last_used_at=now)
            .returning(AuthSession.user_id)
            .execution_options(synchronize_session=False)
        )
        user_id: uuid.UUID = result.scalar_one()
        return user_id


session_repository = SessionRepository()
