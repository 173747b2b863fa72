"""Sign-in sessions and their refresh tokens: starting a session, rotating its refresh token
with reuse detection, logout and revoking sessions. Access tokens themselves are encoded and
read by fitcoach.access.tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.access import tokens
from fitcoach.access.exceptions import AccountBlocked
from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.auth.tokens.exceptions import InvalidRefreshToken, RefreshTokenReused
from fitcoach.auth.tokens.repository import session_repository
from fitcoach.config import Settings
from fitcoach.models import AuthSession, RefreshToken, User
from fitcoach.users.service import user_service


@dataclass(frozen=True)
class ClientInfo:
    ip: str
    user_agent: str | None


@dataclass(frozen=True)
class IssuedTokens:
    user: User
    access_token: str
    access_expires_at: datetime
    refresh_token: str


class SessionService:
    async def start_session(
        self,
        session: AsyncSession,
        settings: Settings,
        user: User,
        client: ClientInfo,
        now: datetime,
    ) -> IssuedTokens:
        auth_session = AuthSession(
            user_id=user.id,
            created_at=now,
            last_used_at=now,
            client_ip=client.ip[:45],
            user_agent=(client.user_agent or "")[:255] or None,
        )
        session_repository.add_session(session, auth_session)
        await session.flush()
        return await self._issue(session, settings, user, auth_session.id, now)

    async def _issue(
        self,
        session: AsyncSession,
        settings: Settings,
        user: User,
        session_id: uuid.UUID,
        now: datetime,
    ) -> IssuedTokens:
        refresh = tokens.new_refresh_token()
        session_repository.add_refresh_token(
            session,
            RefreshToken(
                session_id=session_id,
                token_hash=tokens.hash_refresh_token(settings, refresh),
                expires_at=now + timedelta(days=settings.refresh_token_ttl_days),
                created_at=now,
            ),
        )
        await session.flush()
        access, expires_at = tokens.issue_access_token(settings, user.id, session_id, now)
        return IssuedTokens(
            user=user, access_token=access, access_expires_at=expires_at, refresh_token=refresh
        )

    async def refresh(
        self, session: AsyncSession, settings: Settings, presented: str, now: datetime
    ) -> IssuedTokens:
        """Rotate: the presented token is spent and a new one issued in the same family. A spent
        token presented again means it leaked: the whole family is revoked, newest included."""
        token_hash = tokens.hash_refresh_token(settings, presented)
        # The usual case in one statement; anything else goes the long way, which says why.
        family_id = await session_repository.spend_live_refresh_token(session, token_hash, now)
        if family_id is None:
            family_id = await self._spent_or_refused(session, token_hash, now)
        return await self._rotated(session, settings, family_id, now)

    async def _spent_or_refused(
        self, session: AsyncSession, token_hash: str, now: datetime
    ) -> uuid.UUID:
        """Spend the token step by step, or raise what is wrong with it: unknown, expired, of a
        revoked session, or used before (its family is then revoked)."""
        stored = await session_repository.find_refresh_token(session, token_hash)
        if stored is None or stored.expires_at <= now:
            raise InvalidRefreshToken()
        family = await session_repository.get_session(session, stored.session_id)
        if family is None or family.revoked_at is not None:
            raise InvalidRefreshToken()
        if stored.used_at is not None or not await session_repository.spend_refresh_token(
            session, stored.id, now
        ):
            await session_repository.revoke_session(session, family.id, now, "refresh_token_reuse")
            reused = RefreshTokenReused()
            audit_service.record_failure(
                session,
                reused,
                AuditEvent(
                    action="auth.refresh_token.reused",
                    resource_type="auth_session",
                    resource_id=family.id,
                    actor_id=family.user_id,
                ),
                now,
            )
            raise reused
        return family.id

    async def _rotated(
        self, session: AsyncSession, settings: Settings, family_id: uuid.UUID, now: datetime
    ) -> IssuedTokens:
        """The family's next refresh token, its token spent."""
        user = await user_service.get(
            session, await session_repository.touch_session(session, family_id, now)
        )
        if user.is_blocked:
            raise AccountBlocked()
        return await self._issue(session, settings, user, family_id, now)

    async def logout(
        self, session: AsyncSession, settings: Settings, presented: str, now: datetime
    ) -> None:
        stored = await session_repository.find_refresh_token(
            session, tokens.hash_refresh_token(settings, presented)
        )
        family = (
            await session_repository.get_session(session, stored.session_id) if stored else None
        )
        if family is None:
            raise InvalidRefreshToken()
        await session_repository.revoke_session(session, family.id, now, "logout")
        audit_service.record(
            session,
            AuditEvent(
                action="auth.logout",
                resource_type="auth_session",
                resource_id=family.id,
                actor_id=family.user_id,
            ),
            now,
        )

    async def revoke_all_sessions(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        now: datetime,
        reason: str,
        *,
        keep: uuid.UUID | None = None,
    ) -> None:
        await session_repository.revoke_user_sessions(session, user_id, now, reason, keep=keep)


session_service = SessionService()
