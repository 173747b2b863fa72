"""Passwords: registering and signing in with one (the legacy email-or-phone form and
api-design.md's email form), changing it, and resetting it with an SMS code."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service, secret_changed
from fitcoach.auth.email_verification.service import (
    CodeMail,
    EmailDelivery,
    email_verification_service,
)
from fitcoach.auth.exceptions import WrongCurrentPassword
from fitcoach.auth.identifiers import derived_name, parse_email, parse_phone
from fitcoach.auth.otp.exceptions import InvalidOtp
from fitcoach.auth.otp.service import CodeRequest, PresentedCode, SmsDelivery, otp_service
from fitcoach.auth.password_hashing import hash_password, needs_rehash, verify_password
from fitcoach.auth.passwords.lockout import PasswordAttempt, login_lockout
from fitcoach.auth.sign_in import Claim, Login, NewProfile, SignedIn, SignIn, sign_in_service
from fitcoach.auth.tokens.service import session_service
from fitcoach.config import Settings
from fitcoach.core.errors import Unprocessable
from fitcoach.models import User
from fitcoach.models.enums import OtpPurpose, Role
from fitcoach.users.service import NewUser, user_service

RESET_CODES = (OtpPurpose.password_reset,)


@dataclass(frozen=True)
class Credentials:
    """What a client typed: an email address or a phone number, and a password."""

    identifier: str
    password: str


@dataclass(frozen=True)
class PasswordChange:
    session_id: uuid.UUID  # the session that asks; every other one ends
    current_password: str
    new_password: str


@dataclass(frozen=True)
class PasswordReset:
    phone: str
    code: str
    new_password: str


@dataclass(frozen=True)
class _NewPasswordAccount:
    name: str
    email: str | None
    phone: str | None
    password: str
    profile: NewProfile


def email_or_phone(settings: Settings, identifier: str) -> tuple[str | None, str | None]:
    if "@" in identifier:
        return parse_email(identifier), None
    return None, parse_phone(settings, identifier)


class PasswordService:
    # Registration ---------------------------------------------------------------------------

    async def register(
        self,
        session: AsyncSession,
        settings: Settings,
        credentials: Credentials,
        profile: NewProfile,
        login: Login,
        delivery: EmailDelivery,
    ) -> SignedIn:
        """The legacy form: `identifier` is an email address or a phone number."""
        email, phone = email_or_phone(settings, credentials.identifier)
        account = _NewPasswordAccount(
            name=profile.name or "",
            email=email,
            phone=phone,
            password=credentials.password,
            profile=profile,
        )
        return await self._register(session, settings, account, login, delivery)

    async def register_with_email(
        self,
        session: AsyncSession,
        settings: Settings,
        credentials: Credentials,
        profile: NewProfile,
        login: Login,
        delivery: EmailDelivery,
    ) -> SignedIn:
        """api-design.md's email registration. The name is the profile's, else the address's
        local part; the verification code is mailed once the account is committed."""
        email = parse_email(credentials.identifier)
        account = _NewPasswordAccount(
            name=profile.name or derived_name(email.split("@")[0], "New member"),
            email=email,
            phone=None,
            password=credentials.password,
            profile=profile,
        )
        return await self._register(session, settings, account, login, delivery)

    async def _register(
        self,
        session: AsyncSession,
        settings: Settings,
        account: _NewPasswordAccount,
        login: Login,
        delivery: EmailDelivery,
    ) -> SignedIn:
        """A customer with a password; an email address is sent its verification code."""
        user = await user_service.create(
            session,
            NewUser(
                name=account.name,
                roles=[Role.CUSTOMER],
                phone=account.phone,
                email=account.email,
                password_hash=await hash_password(account.password),
                metrics=account.profile.metrics.to_metrics() if account.profile.metrics else None,
            ),
        )
        if account.email:
            await email_verification_service.issue(
                session,
                settings,
                CodeMail(account.email, delivery, login.now, after_registration=True),
            )
        return await sign_in_service.registered(session, settings, user, login)

    # Sign-in --------------------------------------------------------------------------------

    async def login(
        self, session: AsyncSession, settings: Settings, credentials: Credentials, login: Login
    ) -> SignIn:
        user = await self._find_account(session, settings, credentials.identifier)
        password_hash = user.password_hash if user else None
        attempt = PasswordAttempt(user=user, ip=login.client.ip, now=login.now)
        refusal = await login_lockout.refusal(session, attempt)
        claim = Claim(identifier=credentials.identifier)

        async def password_check() -> bool:
            # The hash is always computed (against a dummy hash for an unknown account or one
            # without a password), so locked, unknown and known accounts take the same time.
            matches = await verify_password(password_hash, credentials.password)
            if not matches and refusal != "source":
                # A guess at a slowed account still counts against the address that made it.
                await login_lockout.count_failure(session, settings, attempt)
            if refusal is not None:
                claim.details["locked"] = True
                claim.details["lockedBy"] = refusal
                return False
            return matches and user is not None

        user = await sign_in_service.checked(session, password_check, user, login, claim)
        if password_hash and needs_rehash(password_hash):
            user.password_hash = await hash_password(credentials.password)
        return await sign_in_service.finish(session, settings, user, login)

    async def _find_account(
        self, session: AsyncSession, settings: Settings, identifier: str
    ) -> User | None:
        try:
            email, phone = email_or_phone(settings, identifier)
        except Unprocessable:
            return None
        if email:
            return await user_service.find_by_email(session, email)
        if phone:
            return await user_service.find_by_phone(session, phone)
        return None

    # Change and reset -----------------------------------------------------------------------

    async def change(
        self, session: AsyncSession, user: User, change: PasswordChange, now: datetime
    ) -> None:
        if not await verify_password(user.password_hash, change.current_password):
            raise WrongCurrentPassword()
        user.password_hash = await hash_password(change.new_password)
        await session_service.revoke_all_sessions(
            session, user.id, now, "password_changed", keep=change.session_id
        )
        audit_service.record(
            session,
            AuditEvent(
                action="auth.password.changed",
                resource_type="user",
                resource_id=user.id,
                changes=secret_changed("password"),
            ),
            now,
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
            CodeRequest(phone, OtpPurpose.password_reset, now, delivery if reachable else None),
        )

    async def reset(
        self, session: AsyncSession, settings: Settings, reset: PasswordReset, now: datetime
    ) -> None:
        phone = parse_phone(settings, reset.phone)
        await otp_service.verify(
            session, settings, PresentedCode(phone, RESET_CODES, reset.code, now, spend=True)
        )
        user = await user_service.find_by_phone(session, phone)
        if user is None or user.is_blocked:
            # Only reachable with a code for a phone that has no usable account, which is never
            # sent: answer as for a wrong code.
            raise InvalidOtp()
        user.password_hash = await hash_password(reset.new_password)
        user.phone_verified = True
        await session_service.revoke_all_sessions(session, user.id, now, "password_reset")
        audit_service.record(
            session,
            AuditEvent(
                action="auth.password.reset",
                resource_type="user",
                resource_id=user.id,
                changes=secret_changed("password"),
                actor=user,
            ),
            now,
        )


password_service = PasswordService()
