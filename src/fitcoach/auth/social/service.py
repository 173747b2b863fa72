"""Sign-in and registration with a Google, Apple or Facebook ID token. The account is the one
linked to (provider, subject); else the one holding the token's email, linked when both sides
have verified it; else a new one (on login only with auto-register)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.auth.identifiers import derived_name
from fitcoach.auth.sign_in import Claim, Login, NewProfile, SignIn, sign_in_service
from fitcoach.auth.social.exceptions import (
    EmailNotVerifiedForLinking,
    ProviderEmailNotVerified,
    SocialAccountAlreadyRegistered,
    SocialAccountNotRegistered,
)
from fitcoach.auth.social.repository import identity_repository
from fitcoach.auth.social.verification import (
    DISPLAY_NAMES,
    JwksCache,
    SocialIdentity,
    verify_id_token,
)
from fitcoach.config import Settings
from fitcoach.core.errors import Unauthorized
from fitcoach.models import User, UserIdentity
from fitcoach.models.enums import Role
from fitcoach.users.service import NewUser, user_service


@dataclass(frozen=True)
class SocialToken:
    """An ID token presented to log in (register=False) or to register with `profile`."""

    provider: str
    id_token: str
    nonce: str | None
    register: bool
    profile: NewProfile | None = None


class SocialSignInService:
    async def sign_in(
        self,
        session: AsyncSession,
        settings: Settings,
        cache: JwksCache,
        token: SocialToken,
        login: Login,
    ) -> SignIn:
        try:
            identity = await verify_id_token(
                settings, cache, token.provider, token.id_token, token.nonce, login.now
            )
        except Unauthorized as error:
            audit_service.record_failure(
                session,
                error,
                AuditEvent(
                    action="auth.login.failed",
                    resource_type="user",
                    details={"method": token.provider, "identifier": token.provider},
                ),
                login.now,
            )
            raise
        user, created = await self._account(session, settings, identity, token, login)
        if created:
            return await sign_in_service.registered(session, settings, user, login)

        async def token_verified() -> bool:
            return True

        claim = Claim(identifier=f"{token.provider}:{identity.subject}")
        user = await sign_in_service.checked(session, token_verified, user, login, claim)
        return await sign_in_service.finish(session, settings, user, login)

    async def _account(
        self,
        session: AsyncSession,
        settings: Settings,
        identity: SocialIdentity,
        token: SocialToken,
        login: Login,
    ) -> tuple[User, bool]:
        display = DISPLAY_NAMES[identity.provider]
        linked = await identity_repository.find(session, identity.provider, identity.subject)
        if linked is not None:
            if token.register:
                raise SocialAccountAlreadyRegistered(display)
            return await user_service.get(session, linked.user_id), False
        holder = (
            await user_service.find_by_email(session, identity.email) if identity.email else None
        )
        if holder is not None:
            if not identity.email_verified:
                raise ProviderEmailNotVerified(display)
            if not holder.email_verified:
                raise EmailNotVerifiedForLinking(display)
            await self._link(session, holder, identity, login)
            return holder, False
        if not token.register and not settings.social_auto_register:
            raise SocialAccountNotRegistered(display)
        fallback = identity.name or (identity.email.split("@")[0] if identity.email else "")
        profile = token.profile or NewProfile(name=None, metrics=None)
        user = await user_service.create(
            session,
            NewUser(
                name=profile.name or derived_name(fallback, f"{display} user"),
                roles=[Role.CUSTOMER],
                email=identity.email,
                email_verified=identity.email_verified,
                metrics=profile.metrics.to_metrics() if profile.metrics else None,
            ),
        )
        await self._link(session, user, identity, login)
        return user, True

    async def _link(
        self, session: AsyncSession, user: User, identity: SocialIdentity, login: Login
    ) -> None:
        identity_repository.add(
            session,
            UserIdentity(
                user_id=user.id,
                provider=identity.provider,
                subject=identity.subject,
                email=identity.email,
                created_at=login.now,
            ),
        )
        try:
            await session.flush()
        except IntegrityError as exc:
            # A concurrent first sign-in with the same account linked it first.
            raise SocialAccountAlreadyRegistered(DISPLAY_NAMES[identity.provider]) from exc
        audit_service.record(
            session,
            AuditEvent(
                action="auth.identity.linked",
                resource_type="user",
                resource_id=user.id,
                details={"provider": identity.provider, "subject": identity.subject},
                actor_id=user.id,
            ),
            login.now,
        )


social_sign_in_service = SocialSignInService()
