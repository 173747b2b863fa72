"""Every query on sessions and refresh tokens."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import datetime

from sqlalchemy import CursorResult, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.auth.principal import Principal
from fitcoach.db.read_cache import CachedRead
from fitcoach.models import (
    AuthSession,
    EmailVerificationCode,
    RefreshToken,
    User,
    UserIdentity,
    UserRole,
)
from fitcoach.models.enums import Role

# The users columns a Principal copies: all its fields but what the query adds (the session it
# was asked for, the joined roles), so the two cannot drift apart.
_PRINCIPAL_USER_COLUMNS = tuple(
    field.name for field in fields(Principal) if field.name not in {"session_id", "roles"}
)


_principal_users = User.__table__
_principal_sessions = AuthSession.__table__
_principal_roles = UserRole.__table__
# Built once: this runs on every authenticated request, and building a statement costs as much
# as running it. One row per role (an outer join, so a user without roles still comes back).
_PRINCIPAL_QUERY = (
    select(
        *(_principal_users.c[name] for name in _PRINCIPAL_USER_COLUMNS),
        _principal_sessions.c.revoked_at,
        _principal_roles.c.role,
    )
    .join(_principal_sessions, _principal_sessions.c.user_id == _principal_users.c.id)
    .outerjoin(_principal_roles, _principal_roles.c.user_id == _principal_users.c.id)
    .where(
        _principal_users.c.id == bindparam("user_id"),
        _principal_sessions.c.id == bindparam("session_id"),
    )
)


# The caller of safe requests, between changes of the account, its roles or its sessions.
CALLERS: CachedRead[tuple[Principal, bool] | None] = CachedRead(
    "callers", topic="user", max_groups=50_000
)


class AuthRepository:
    async def principal(
        self, session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[Principal, bool] | None:
        """The access token's user and whether its session is still live, in one round trip,
        so logout, password changes, blocks and role changes act on the very next request."""

        async def load() -> tuple[Principal, bool] | None:
            connection = await session.connection()
            rows = (
                await connection.execute(
                    _PRINCIPAL_QUERY, {"user_id": user_id, "session_id": session_id}
                )
            ).all()
            if not rows:
                return None
            first = rows[0]
            principal = Principal(
                id=first.id,
                session_id=session_id,
                roles=tuple(sorted(Role(row.role) for row in rows if row.role is not None)),
                **{name: getattr(first, name) for name in _PRINCIPAL_USER_COLUMNS if name != "id"},
            )
            return principal, first.revoked_at is None

        return await CALLERS.read(session, str(user_id), session_id, load)

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
