"""Sign-in and session rules: OTP and password login and registration, refresh-token rotation
with reuse detection, logout, password change and reset."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import audit_service, secret_changed
from fitcoach.auth import tokens
from fitcoach.auth.exceptions import (
    AccountBlocked,
    AccountNotRegistered,
    InvalidCredentials,
    InvalidRefreshToken,
    RefreshTokenReused,
    WrongCurrentPassword,
)
from fitcoach.auth.passwords import hash_password, needs_rehash, verify_password
from fitcoach.auth.repository import auth_repository
from fitcoach.auth.schemas import MeOut, ProfileOut
from fitcoach.config import Settings
from fitcoach.kit.errors import DomainError, Unprocessable
from fitcoach.kit.phone import INVALID_PHONE_MESSAGE, InvalidPhoneNumber, normalize_phone
from fitcoach.models import AuthSession, RefreshToken, User
from fitcoach.models.enums import OtpPurpose, Role
from fitcoach.otp.exceptions import InvalidOtp
from fitcoach.otp.service import SmsDelivery, otp_service
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
                action="auth.login.failed",
                resource_type="user",
                resource_id=user.id if user else None,
                actor_id=user.id if user else None,
                details={"method": method, "identifier": identifier},
                now=now,
            )
            raise
        return user

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
            actor_id=user.id,
            actor_roles=tuple(user.roles),
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
            actor_id=user.id,
            actor_roles=tuple(user.roles),
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
    ) -> IssuedTokens:
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
        return await self._signed_in(session, settings, user, client, "otp", now)

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
        now: datetime,
    ) -> IssuedTokens:
        email, phone = self._email_or_phone(settings, provider)
        user = await user_service.create(
            session,
            name=name,
            roles=[Role.CUSTOMER],
            phone=phone,
            email=email,
            password_hash=await hash_password(password),
            metrics=metrics,
        )
        return await self._registered(session, settings, user, client, "password", now)

    async def login_with_password(
        self,
        session: AsyncSession,
        settings: Settings,
        provider: str,
        password: str,
        client: ClientInfo,
        now: datetime,
    ) -> IssuedTokens:
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

        async def password_check() -> bool:
            return await verify_password(password_hash, password) and user is not None

        user = await self._checked_sign_in(
            session, password_check, user, method="password", identifier=provider, now=now
        )
        if password_hash and needs_rehash(password_hash):
            user.password_hash = await hash_password(password)
        return await self._signed_in(session, settings, user, client, "password", now)

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
            actor_id=user.id,
            actor_roles=tuple(user.roles),
            changes=secret_changed("password"),
            now=now,
        )

    async def describe(self, session: AsyncSession, user: User, now: datetime) -> MeOut:
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
        )

    def _email_or_phone(self, settings: Settings, provider: str) -> tuple[str | None, str | None]:
        if "@" in provider:
            try:
                checked = validate_email(provider, check_deliverability=False)
            except EmailNotValidError as exc:
                raise Unprocessable("Invalid email address") from exc
            return checked.normalized.lower(), None
        return None, parse_phone(settings, provider)


auth_service = AuthService()
