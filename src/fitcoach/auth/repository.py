"""Every query on sessions and refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import (
    AuthSession,
    EmailVerificationCode,
    RefreshToken,
    UserIdentity,
)


class AuthRepository:
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
    ) -> None:
        await session.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )


auth_repository = AuthRepository()


class IdentityRepository:
    """Social identities and email verification codes."""

    async def find_identity(
        self, session: AsyncSession, provider: str, subject: str
    ) -> UserIdentity | None:
        result = await session.execute(
            select(UserIdentity).where(
                UserIdentity.provider == provider, UserIdentity.subject == subject
            )
        )
        return result.scalar_one_or_none()

    def add(self, session: AsyncSession, row: object) -> None:
        session.add(row)

    async def newest_email_code(
        self, session: AsyncSession, email: str
    ) -> EmailVerificationCode | None:
        result = await session.execute(
            select(EmailVerificationCode)
            .where(EmailVerificationCode.email == email)
            .order_by(EmailVerificationCode.created_at.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def retire_email_codes(self, session: AsyncSession, email: str, now: datetime) -> None:
        await session.execute(
            update(EmailVerificationCode)
            .where(
                EmailVerificationCode.email == email, EmailVerificationCode.consumed_at.is_(None)
            )
            .values(consumed_at=now)
            .execution_options(synchronize_session=False)
        )

    async def live_email_code(
        self, session: AsyncSession, email: str
    ) -> EmailVerificationCode | None:
        result = await session.execute(
            select(EmailVerificationCode)
            .where(
                EmailVerificationCode.email == email, EmailVerificationCode.consumed_at.is_(None)
            )
            .order_by(EmailVerificationCode.created_at.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def reserve_email_attempt(
        self, session: AsyncSession, code_id: uuid.UUID, max_attempts: int
    ) -> int | None:
        result = await session.execute(
            update(EmailVerificationCode)
            .where(
                EmailVerificationCode.id == code_id,
                EmailVerificationCode.attempts < max_attempts,
                EmailVerificationCode.consumed_at.is_(None),
            )
            .values(attempts=EmailVerificationCode.attempts + 1)
            .returning(EmailVerificationCode.attempts)
            .execution_options(synchronize_session=False)
        )
        return result.scalar_one_or_none()

    async def consume_email_code(
        self, session: AsyncSession, code_id: uuid.UUID, now: datetime
    ) -> bool:
        result: CursorResult[tuple[()]] = await session.execute(  # type: ignore[assignment]
            update(EmailVerificationCode)
            .where(EmailVerificationCode.id == code_id, EmailVerificationCode.consumed_at.is_(None))
            .values(consumed_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def delete_email_code(self, session: AsyncSession, code_id: uuid.UUID) -> None:
        await session.execute(
            delete(EmailVerificationCode).where(EmailVerificationCode.id == code_id)
        )


identity_repository = IdentityRepository()
