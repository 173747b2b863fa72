"""What every sign-in route shares once its first factor is known: the account checks and the
audit entry of every refusal, the MFA step, starting the session, and the start of a new
account (its free trial). Each flow (otp, passwords, social) brings its own credential check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.access.exceptions import AccountBlocked
from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.auth.exceptions import AccountNotRegistered, InvalidCredentials
from fitcoach.auth.me import Me, me_service
from fitcoach.auth.mfa.service import MfaProof, mfa_service
from fitcoach.auth.tokens.service import ClientInfo, IssuedTokens, session_service
from fitcoach.config import Settings
from fitcoach.core.errors import DomainError
from fitcoach.models import User
from fitcoach.subscriptions.service import subscription_service
from fitcoach.users.schemas import BodyMetricsIn
from fitcoach.users.service import user_service


@dataclass(frozen=True)
class SignedIn:
    tokens: IssuedTokens
    me: Me


@dataclass(frozen=True)
class MfaRequired:
    """The first factor passed; the login ends at POST /auth/mfa/verify with this token."""

    mfa_token: str


SignIn = SignedIn | MfaRequired


@dataclass(frozen=True)
class NewProfile:
    """What a registration tells about the person: a display name (else one is derived) and
    body metrics."""

    name: str | None
    metrics: BodyMetricsIn | None


@dataclass(frozen=True)
class Login:
    """One sign-in attempt: who is calling, by which method, when."""

    client: ClientInfo
    method: str
    now: datetime


@dataclass(frozen=True)
class Claim:
    """Whom an attempt claims to be, for the audit entry of a refusal; `details` may be filled
    in by the credential check."""

    identifier: str
    details: dict[str, object] = field(default_factory=dict)


class SignInService:
    async def checked(
        self,
        session: AsyncSession,
        credential_check: Callable[[], Awaitable[bool]],
        user: User | None,
        login: Login,
        claim: Claim,
    ) -> User:
        """Run the credential check, then the account checks; every refusal is audited."""
        try:
            if not await credential_check():
                raise InvalidCredentials()
            if user is None:
                raise AccountNotRegistered()
            if user.is_blocked:
                raise AccountBlocked()
        except DomainError as error:
            audit_service.record_failure(
                session,
                error,
                AuditEvent(
                    action="auth.login.failed",
                    resource_type="user",
                    resource_id=user.id if user else None,
                    details={
                        "method": login.method,
                        "identifier": claim.identifier,
                        **claim.details,
                    },
                    actor_id=user.id if user else None,
                ),
                login.now,
            )
            raise
        return user

    async def finish(
        self, session: AsyncSession, settings: Settings, user: User, login: Login
    ) -> SignIn:
        """The end of every login route: tokens, or with MFA on, the challenge to pass first."""
        if user.mfa_enabled:
            token = await mfa_service.start_challenge(
                session, settings, user, login.method, login.now
            )
            return MfaRequired(mfa_token=token)
        await user_service.clear_failed_logins(session, user.id)
        return await self.signed_in(session, settings, user, login)

    async def complete_mfa_login(
        self,
        session: AsyncSession,
        settings: Settings,
        proof: MfaProof,
        client: ClientInfo,
        now: datetime,
    ) -> SignedIn:
        passed = await mfa_service.pass_challenge(session, settings, proof, now)
        user = await user_service.get(session, passed.user_id)
        if user.is_blocked:
            raise AccountBlocked()
        await user_service.clear_failed_logins(session, user.id)
        method = f"{passed.method}+{passed.factor}"
        return await self.signed_in(session, settings, user, Login(client, method, now))

    async def refreshed(
        self, session: AsyncSession, settings: Settings, presented: str, now: datetime
    ) -> SignedIn:
        issued = await session_service.refresh(session, settings, presented, now)
        return SignedIn(tokens=issued, me=await me_service.describe(session, issued.user, now))

    async def signed_in(
        self, session: AsyncSession, settings: Settings, user: User, login: Login
    ) -> SignedIn:
        issued = await session_service.start_session(
            session, settings, user, login.client, login.now
        )
        audit_service.record(
            session,
            AuditEvent(
                action="auth.login.succeeded",
                resource_type="user",
                resource_id=user.id,
                details={"method": login.method},
                actor=user,
            ),
            login.now,
        )
        return SignedIn(tokens=issued, me=await me_service.describe(session, user, login.now))

    async def registered(
        self, session: AsyncSession, settings: Settings, user: User, login: Login
    ) -> SignedIn:
        await subscription_service.start_free_trial(session, user.id, login.now)
        audit_service.record(
            session,
            AuditEvent(
                action="user.registered",
                resource_type="user",
                resource_id=user.id,
                details={"method": login.method},
                actor=user,
            ),
            login.now,
        )
        return await self.signed_in(session, settings, user, login)


sign_in_service = SignInService()
