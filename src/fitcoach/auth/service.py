"""Sign-in and session rules: OTP, password, email and social login and registration, password
lockout, the MFA step of every login, refresh-token rotation with reuse detection, logout,
password change and reset, email verification."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.access import tokens
from fitcoach.access.exceptions import AccountBlocked
from fitcoach.access.principal import Principal
from fitcoach.audit.service import audit_service, secret_changed
from fitcoach.auth.email_verification import EmailDelivery, email_verification_service
from fitcoach.auth.exceptions import (
    AccountNotRegistered,
    EmailNotVerifiedForLinking,
    InvalidCredentials,
    InvalidEmailCode,
    InvalidRefreshToken,
    ProviderEmailNotVerified,
    RefreshTokenReused,
    SocialAccountAlreadyRegistered,
    SocialAccountNotRegistered,
    WrongCurrentPassword,
)
from fitcoach.auth.mfa.service import mfa_service
from fitcoach.auth.otp.exceptions import InvalidOtp
from fitcoach.auth.otp.service import SmsDelivery, otp_service
from fitcoach.auth.passwords import hash_password, needs_rehash, verify_password
from fitcoach.auth.repository import auth_repository, identity_repository
from fitcoach.auth.schemas import MeOut, ProfileOut, RegisterMetadata
from fitcoach.auth.social import DISPLAY_NAMES, JwksCache, SocialIdentity, verify_id_token
from fitcoach.config import Settings
from fitcoach.core.errors import DomainError, Unauthorized, Unprocessable
from fitcoach.core.phone import INVALID_PHONE_MESSAGE, InvalidPhoneNumber, normalize_phone
from fitcoach.models import AuthSession, RefreshToken, User, UserIdentity
from fitcoach.models.enums import OtpPurpose, Role
from fitcoach.subscriptions.schemas import SubscriptionStatusOut
from fitcoach.subscriptions.service import subscription_service
from fitcoach.users.schemas import BodyMetricsIn, UserOut
from fitcoach.users.service import user_service

LOGIN_CODES = (OtpPurpose.auth,)
RESET_CODES = (OtpPurpose.password_reset,)


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


@dataclass(frozen=True)
class MfaRequired:
    """The first factor passed; the login ends at POST /auth/mfa/verify with this token."""

    mfa_token: str


SignIn = IssuedTokens | MfaRequired
# Lock lengths double per repeat (15, 30, 60 minutes...); the exponent is capped before the
# configured maximum applies, so the arithmetic stays small.
_MAX_LOCK_DOUBLINGS = 20


def derived_name(text: str, fallback: str) -> str:
    """A display name made from what a provider or an address gave, when the client sent none."""
    return " ".join(text.split())[:30] or fallback


def parse_email(raw: str) -> str:
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise Unprocessable("Invalid email address") from exc
    return checked.normalized.lower()


def parse_phone(settings: Settings, raw: str) -> str:
    try:
        return normalize_phone(raw, settings.default_phone_region)
    except InvalidPhoneNumber as exc:
        raise Unprocessable(INVALID_PHONE_MESSAGE) from exc


class AuthService:
    # Sessions and tokens ------------------------------------------------------------------

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
        auth_repository.add_session(session, auth_session)
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
        auth_repository.add_refresh_token(
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
        stored = await auth_repository.find_refresh_token(
            session, tokens.hash_refresh_token(settings, presented)
        )
        if stored is None or stored.expires_at <= now:
            raise InvalidRefreshToken()
        family = await auth_repository.get_session(session, stored.session_id)
        if family is None or family.revoked_at is not None:
            raise InvalidRefreshToken()
        if stored.used_at is not None or not await auth_repository.spend_refresh_token(
            session, stored.id, now
        ):
            await auth_repository.revoke_session(session, family.id, now, "refresh_token_reuse")
            reused = RefreshTokenReused()
            audit_service.record_failure(
                session,
                reused,
                action="auth.refresh_token.reused",
                resource_type="auth_session",
                resource_id=family.id,
                actor_id=family.user_id,
                now=now,
            )
            raise reused
        user = await user_service.get(session, family.user_id)
        if user.is_blocked:
            raise AccountBlocked()
        await auth_repository.touch_session(session, family.id, now)
        return await self._issue(session, settings, user, family.id, now)

    async def logout(
        self, session: AsyncSession, settings: Settings, presented: str, now: datetime
    ) -> None:
        stored = await auth_repository.find_refresh_token(
            session, tokens.hash_refresh_token(settings, presented)
        )
        family = await auth_repository.get_session(session, stored.session_id) if stored else None
        if family is None:
            raise InvalidRefreshToken()
        await auth_repository.revoke_session(session, family.id, now, "logout")
        audit_service.record(
            session,
            action="auth.logout",
            resource_type="auth_session",
            resource_id=family.id,
            actor_id=family.user_id,
            now=now,
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
        await auth_repository.revoke_user_sessions(session, user_id, now, reason, keep=keep)

    async def _checked_sign_in(
        self,
        session: AsyncSession,
        credential_check: Callable[[], Awaitable[bool]],
        user: User | None,
        *,
        method: str,
        identifier: str,
        now: datetime,
        details: dict[str, object] | None = None,
    ) -> User:
        """Run the credential check, then the account checks; every refusal is audited.
        `details` (which the check may fill in) is added to the refusal's entry."""
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
                action="auth.login.failed",
                resource_type="user",
                resource_id=user.id if user else None,
                actor_id=user.id if user else None,
                details={"method": method, "identifier": identifier, **(details or {})},
                now=now,
            )
            raise
        return user

    async def _login(
        self,
        session: AsyncSession,
        settings: Settings,
        user: User,
        client: ClientInfo,
        method: str,
        now: datetime,
    ) -> SignIn:
        """The end of every login route: tokens, or with MFA on, the challenge to pass first."""
        if user.mfa_enabled:
            token = await mfa_service.start_challenge(session, settings, user, method, now)
            return MfaRequired(mfa_token=token)
        await user_service.clear_failed_logins(session, user.id)
        return await self._signed_in(session, settings, user, client, method, now)

    async def complete_mfa_login(
        self,
        session: AsyncSession,
        settings: Settings,
        mfa_token: str,
        code: str | None,
        recovery_code: str | None,
        client: ClientInfo,
        now: datetime,
    ) -> IssuedTokens:
        passed = await mfa_service.pass_challenge(
            session, settings, mfa_token, code=code, recovery_code=recovery_code, now=now
        )
        user = await user_service.get(session, passed.user_id)
        if user.is_blocked:
            raise AccountBlocked()
        await user_service.clear_failed_logins(session, user.id)
        method = f"{passed.method}+{passed.factor}"
        return await self._signed_in(session, settings, user, client, method, now)

    async def _signed_in(
        self,
        session: AsyncSession,
        settings: Settings,
        user: User,
        client: ClientInfo,
        method: str,
        now: datetime,
    ) -> IssuedTokens:
        issued = await self.start_session(session, settings, user, client, now)
        audit_service.record(
            session,
            action="auth.login.succeeded",
            resource_type="user",
            resource_id=user.id,
            actor=user,
            details={"method": method},
            now=now,
        )
        return issued

    async def _registered(
        self,
        session: AsyncSession,
        settings: Settings,
        user: User,
        client: ClientInfo,
        method: str,
        now: datetime,
    ) -> IssuedTokens:
        await subscription_service.start_free_trial(session, user.id, now)
        audit_service.record(
            session,
            action="user.registered",
            resource_type="user",
            resource_id=user.id,
            actor=user,
            details={"method": method},
            now=now,
        )
        return await self._signed_in(session, settings, user, client, method, now)

    # OTP sign-in ----------------------------------------------------------------------------

    async def send_login_code(
        self,
        session: AsyncSession,
        settings: Settings,
        raw_phone: str,
        delivery: SmsDelivery,
        now: datetime,
    ) -> None:
        phone = parse_phone(settings, raw_phone)
        await otp_service.issue(
            session, settings, phone=phone, purpose=OtpPurpose.auth, now=now, delivery=delivery
        )

    async def check_code(
        self, session: AsyncSession, settings: Settings, raw_phone: str, code: str, now: datetime
    ) -> bool:
        """Whether `code` is the phone's live login code, without spending it. A wrong code is a
        plain "no" (its attempt still counts); expiry and the attempt cap are errors."""
        phone = parse_phone(settings, raw_phone)
        try:
            await otp_service.verify(
                session,
                settings,
                phone=phone,
                purposes=LOGIN_CODES,
                code=code,
                now=now,
                spend=False,
            )
        except InvalidOtp:
            return False
        return True

    async def login_with_otp(
        self,
        session: AsyncSession,
        settings: Settings,
        raw_phone: str,
        code: str,
        client: ClientInfo,
        now: datetime,
    ) -> SignIn:
        phone = parse_phone(settings, raw_phone)
        user = await user_service.find_by_phone(session, phone)

        async def otp_check() -> bool:
            # The code is checked before the account, so an unknown phone is revealed only to the
            # holder of a valid code; it is not spent then, and serves /auth/otp/register next.
            await otp_service.verify(
                session,
                settings,
                phone=phone,
                purposes=LOGIN_CODES,
                code=code,
                now=now,
                spend=user is not None,
            )
            return True

        user = await self._checked_sign_in(
            session, otp_check, user, method="otp", identifier=phone, now=now
        )
        user.phone_verified = True
        return await self._login(session, settings, user, client, "otp", now)

    async def register_with_otp(
        self,
        session: AsyncSession,
        settings: Settings,
        raw_phone: str,
        code: str,
        name: str,
        metrics: BodyMetricsIn,
        client: ClientInfo,
        now: datetime,
    ) -> IssuedTokens:
        phone = parse_phone(settings, raw_phone)
        await otp_service.verify(
            session, settings, phone=phone, purposes=LOGIN_CODES, code=code, now=now, spend=True
        )
        user = await user_service.create(
            session,
            name=name,
            roles=[Role.CUSTOMER],
            phone=phone,
            phone_verified=True,
            metrics=metrics,
        )
        return await self._registered(session, settings, user, client, "otp", now)

    # Passwords ------------------------------------------------------------------------------

    async def register_with_password(
        self,
        session: AsyncSession,
        settings: Settings,
        provider: str,
        password: str,
        name: str,
        metrics: BodyMetricsIn,
        client: ClientInfo,
        delivery: EmailDelivery,
        now: datetime,
    ) -> IssuedTokens:
        email, phone = self._email_or_phone(settings, provider)
        return await self._register_password_account(
            session,
            settings,
            name=name,
            email=email,
            phone=phone,
            password=password,
            metrics=metrics,
            client=client,
            delivery=delivery,
            method="password",
            now=now,
        )

    async def register_with_email(
        self,
        session: AsyncSession,
        settings: Settings,
        raw_email: str,
        password: str,
        metadata: RegisterMetadata,
        client: ClientInfo,
        delivery: EmailDelivery,
        now: datetime,
    ) -> IssuedTokens:
        """api-design.md's email registration. The name is metadata.name, else the address's
        local part; the verification code is mailed once the account is committed."""
        email = parse_email(raw_email)
        return await self._register_password_account(
            session,
            settings,
            name=metadata.name or derived_name(email.split("@")[0], "New member"),
            email=email,
            phone=None,
            password=password,
            metrics=metadata,
            client=client,
            delivery=delivery,
            method="email",
            now=now,
        )

    async def _register_password_account(
        self,
        session: AsyncSession,
        settings: Settings,
        *,
        name: str,
        email: str | None,
        phone: str | None,
        password: str,
        metrics: BodyMetricsIn,
        client: ClientInfo,
        delivery: EmailDelivery,
        method: str,
        now: datetime,
    ) -> IssuedTokens:
        """A customer with a password; an email address is sent its verification code."""
        user = await user_service.create(
            session,
            name=name,
            roles=[Role.CUSTOMER],
            phone=phone,
            email=email,
            password_hash=await hash_password(password),
            metrics=metrics,
        )
        if email:
            await email_verification_service.issue(
                session, settings, email, delivery, now, after_registration=True
            )
        return await self._registered(session, settings, user, client, method, now)

    async def login_with_password(
        self,
        session: AsyncSession,
        settings: Settings,
        provider: str,
        password: str,
        client: ClientInfo,
        now: datetime,
    ) -> SignIn:
        try:
            email, phone = self._email_or_phone(settings, provider)
        except Unprocessable:
            email = phone = None
        user = None
        if email:
            user = await user_service.find_by_email(session, email)
        elif phone:
            user = await user_service.find_by_phone(session, phone)
        password_hash = user.password_hash if user else None
        locked = user is not None and user.locked_until is not None and user.locked_until > now
        details: dict[str, object] = {}

        async def password_check() -> bool:
            # The hash is always computed, so locked and unknown accounts take the same time.
            matches = await verify_password(password_hash, password)
            if user is None:
                return False
            if locked:
                details["locked"] = True
                return False
            if not matches:
                await self._count_password_failure(session, settings, user, now)
            return matches

        user = await self._checked_sign_in(
            session,
            password_check,
            user,
            method="password",
            identifier=provider,
            now=now,
            details=details,
        )
        if password_hash and needs_rehash(password_hash):
            user.password_hash = await hash_password(password)
        return await self._login(session, settings, user, client, "password", now)

    async def _count_password_failure(
        self, session: AsyncSession, settings: Settings, user: User, now: datetime
    ) -> None:
        """Count a wrong password; the Nth in a row locks the account, each lock twice as long
        as the one before (up to the configured maximum) until a login succeeds. The refusal
        that follows is committed, counter included (record_failure)."""
        counted = await user_service.count_failed_login(session, user.id)
        if counted is None or counted[0] < settings.login_max_failures:
            return
        failures, level = counted
        minutes = min(
            settings.login_lock_minutes * 2 ** min(level, _MAX_LOCK_DOUBLINGS),
            settings.login_lock_max_minutes,
        )
        until = now + timedelta(minutes=minutes)
        if await user_service.lock_login(
            session, user.id, level=level, until=until, threshold=settings.login_max_failures
        ):
            audit_service.record(
                session,
                action="auth.account.locked",
                resource_type="user",
                resource_id=user.id,
                actor_id=user.id,
                details={"failures": failures, "minutes": minutes, "until": until.isoformat()},
                now=now,
            )

    # Social sign-in -------------------------------------------------------------------------

    async def sign_in_with_social(
        self,
        session: AsyncSession,
        settings: Settings,
        cache: JwksCache,
        provider: str,
        id_token: str,
        nonce: str | None,
        client: ClientInfo,
        now: datetime,
        *,
        register: bool,
        metadata: RegisterMetadata | None = None,
    ) -> SignIn:
        """Login (register=False) or registration with a provider's ID token. The account is
        the one linked to (provider, subject); else the one holding the token's email, linked
        when both sides have verified it; else a new one (on login only with auto-register)."""
        try:
            identity = await verify_id_token(settings, cache, provider, id_token, nonce, now)
        except Unauthorized as error:
            audit_service.record_failure(
                session,
                error,
                action="auth.login.failed",
                resource_type="user",
                details={"method": provider, "identifier": provider},
                now=now,
            )
            raise
        user, created = await self._social_account(
            session, settings, identity, register=register, metadata=metadata, now=now
        )
        if created:
            return await self._registered(session, settings, user, client, provider, now)

        async def token_verified() -> bool:
            return True

        user = await self._checked_sign_in(
            session,
            token_verified,
            user,
            method=provider,
            identifier=f"{provider}:{identity.subject}",
            now=now,
        )
        return await self._login(session, settings, user, client, provider, now)

    async def _social_account(
        self,
        session: AsyncSession,
        settings: Settings,
        identity: SocialIdentity,
        *,
        register: bool,
        metadata: RegisterMetadata | None,
        now: datetime,
    ) -> tuple[User, bool]:
        display = DISPLAY_NAMES[identity.provider]
        linked = await identity_repository.find_identity(
            session, identity.provider, identity.subject
        )
        if linked is not None:
            if register:
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
            await self._link(session, holder, identity, now)
            return holder, False
        if not register and not settings.social_auto_register:
            raise SocialAccountNotRegistered(display)
        fallback = identity.name or (identity.email.split("@")[0] if identity.email else "")
        user = await user_service.create(
            session,
            name=(metadata.name if metadata else None) or derived_name(fallback, f"{display} user"),
            roles=[Role.CUSTOMER],
            email=identity.email,
            email_verified=identity.email_verified,
            metrics=metadata,
        )
        await self._link(session, user, identity, now)
        return user, True

    async def _link(
        self, session: AsyncSession, user: User, identity: SocialIdentity, now: datetime
    ) -> None:
        identity_repository.add(
            session,
            UserIdentity(
                user_id=user.id,
                provider=identity.provider,
                subject=identity.subject,
                email=identity.email,
                created_at=now,
            ),
        )
        try:
            await session.flush()
        except IntegrityError as exc:
            # A concurrent first sign-in with the same account linked it first.
            raise SocialAccountAlreadyRegistered(DISPLAY_NAMES[identity.provider]) from exc
        audit_service.record(
            session,
            action="auth.identity.linked",
            resource_type="user",
            resource_id=user.id,
            actor_id=user.id,
            details={"provider": identity.provider, "subject": identity.subject},
            now=now,
        )

    # Email verification ---------------------------------------------------------------------

    async def send_email_code(
        self,
        session: AsyncSession,
        settings: Settings,
        raw_email: str,
        delivery: EmailDelivery,
        now: datetime,
    ) -> None:
        email = parse_email(raw_email)
        user = await user_service.find_by_email(session, email)
        # Unknown, verified and blocked addresses get the same answer and cooldown, no email.
        needs_code = user is not None and not user.email_verified and not user.is_blocked
        await email_verification_service.issue(
            session, settings, email, delivery if needs_code else None, now
        )

    async def verify_email(
        self, session: AsyncSession, settings: Settings, raw_email: str, code: str, now: datetime
    ) -> None:
        email = parse_email(raw_email)
        await email_verification_service.verify(session, settings, email, code, now)
        user = await user_service.find_by_email(session, email)
        if user is None:
            raise InvalidEmailCode()
        if not user.email_verified:
            user.email_verified = True
            audit_service.record(
                session,
                action="auth.email.verified",
                resource_type="user",
                resource_id=user.id,
                actor_id=user.id,
                changes={"email_verified": {"before": False, "after": True}},
                now=now,
            )

    async def change_password(
        self,
        session: AsyncSession,
        user: User,
        current_session_id: uuid.UUID,
        current_password: str,
        new_password: str,
        now: datetime,
    ) -> None:
        if not await verify_password(user.password_hash, current_password):
            raise WrongCurrentPassword()
        user.password_hash = await hash_password(new_password)
        await self.revoke_all_sessions(
            session, user.id, now, "password_changed", keep=current_session_id
        )
        audit_service.record(
            session,
            action="auth.password.changed",
            resource_type="user",
            resource_id=user.id,
            changes=secret_changed("password"),
            now=now,
        )

    async def send_reset_code(
        self,
        session: AsyncSession,
        settings: Settings,
        raw_phone: str,
        delivery: SmsDelivery,
        now: datetime,
    ) -> None:
        phone = parse_phone(settings, raw_phone)
        user = await user_service.find_by_phone(session, phone)
        # Unknown and blocked phones get the same answer, cooldown and caps, but no SMS.
        reachable = user is not None and not user.is_blocked
        await otp_service.issue(
            session,
            settings,
            phone=phone,
            purpose=OtpPurpose.password_reset,
            now=now,
            delivery=delivery if reachable else None,
        )

    async def reset_password(
        self,
        session: AsyncSession,
        settings: Settings,
        raw_phone: str,
        code: str,
        new_password: str,
        now: datetime,
    ) -> None:
        phone = parse_phone(settings, raw_phone)
        await otp_service.verify(
            session, settings, phone=phone, purposes=RESET_CODES, code=code, now=now, spend=True
        )
        user = await user_service.find_by_phone(session, phone)
        if user is None or user.is_blocked:
            # Only reachable with a code for a phone that has no usable account, which is never
            # sent: answer as for a wrong code.
            raise InvalidOtp()
        user.password_hash = await hash_password(new_password)
        user.phone_verified = True
        await self.revoke_all_sessions(session, user.id, now, "password_reset")
        audit_service.record(
            session,
            action="auth.password.reset",
            resource_type="user",
            resource_id=user.id,
            actor=user,
            changes=secret_changed("password"),
            now=now,
        )

    async def describe(self, session: AsyncSession, user: Principal, now: datetime) -> MeOut:
        status = await subscription_service.status(session, user.id, now)
        metrics = (user.height_cm, user.weight_kg, user.age, user.gender)
        profile = (
            None
            if all(value is None for value in metrics)
            else ProfileOut(
                height=user.height_cm, weight=user.weight_kg, age=user.age, gender=user.gender
            )
        )
        return MeOut(
            user=UserOut.model_validate(user),
            is_subscribed=status.is_subscribed,
            subscription_type=status.type.value if status.type else None,
            subscription_warning=status.ends_soon,
            # Plans are sized from all four body metrics; until each is known the app asks.
            profile_update_required=any(value is None for value in metrics),
            subscription_status=SubscriptionStatusOut.of(status, now),
            profile=profile,
            mfa_enabled=user.mfa_enabled,
        )

    def _email_or_phone(self, settings: Settings, provider: str) -> tuple[str | None, str | None]:
        if "@" in provider:
            return parse_email(provider), None
        return None, parse_phone(settings, provider)


auth_service = AuthService()
