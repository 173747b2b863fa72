"""Email verification codes: 6 CSPRNG digits mailed after the transaction commits, stored as an
HMAC bound to the address, with a lifetime, a resend cooldown, an attempt cap and single use
(the rules of SMS codes; the SMS code table is keyed by phone, hence a table of its own)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.audit.service import audit_service
from fitcoach.auth.exceptions import (
    EmailCodeAttemptsExceeded,
    EmailCodeExpired,
    EmailCodeResendTooSoon,
    EmailNotSent,
    InvalidEmailCode,
)
from fitcoach.auth.repository import identity_repository
from fitcoach.config import Settings
from fitcoach.core.crypto import derive_key, keyed_hash, random_digits, same_digest
from fitcoach.db.session import after_commit
from fitcoach.models import EmailVerificationCode
from fitcoach.notifications.email import EmailDeliveryError, EmailProvider

log = structlog.get_logger("fitcoach.email_verification")

CODE_LENGTH = 6


@dataclass(frozen=True)
class EmailDelivery:
    """The provider, and a way to open a fresh transaction to retire a code never sent."""

    provider: EmailProvider
    sessionmaker: async_sessionmaker[AsyncSession]


class EmailVerificationService:
    def _hash(self, settings: Settings, email: str, code: str) -> str:
        return keyed_hash(derive_key(settings.signing_secret, "email-verification"), email, code)

    async def issue(
        self,
        session: AsyncSession,
        settings: Settings,
        email: str,
        delivery: EmailDelivery | None,
        now: datetime,
        *,
        after_registration: bool = False,
    ) -> None:
        """Record a code and mail it once the transaction commits. Without a delivery (an
        unknown or already verified address) it is recorded, never sent, so the cooldown answers
        alike. A failed send fails a resend request (502); right after registration, which must
        not fail for it, the failure is only logged (and there is no cooldown to wait out)."""
        newest = await identity_repository.newest_email_code(session, email)
        if newest is not None and not after_registration:
            ready_at = newest.created_at + timedelta(seconds=settings.otp_resend_seconds)
            if ready_at > now:
                raise EmailCodeResendTooSoon(
                    retry_after=math.ceil((ready_at - now).total_seconds())
                )
        await identity_repository.retire_email_codes(session, email, now)
        code = random_digits(CODE_LENGTH)
        record = EmailVerificationCode(
            email=email,
            code_hash=self._hash(settings, email, code),
            attempts=0,
            expires_at=now + timedelta(seconds=settings.email_code_ttl_seconds),
            created_at=now,
        )
        identity_repository.add(session, record)
        await session.flush()
        audit_service.record(
            session,
            action="auth.email.code_sent",
            resource_type="email_verification",
            resource_id=record.id,
            details={"email": email, "emailSent": delivery is not None},
            now=now,
        )
        if delivery is None:
            return
        minutes = max(settings.email_code_ttl_seconds // 60, 1)
        subject = f"{settings.app_name}: verify your email"
        text = (
            f"Your {settings.app_name} email verification code is {code}. It expires in "
            f"{minutes} minutes. If you did not ask for it, ignore this email."
        )
        after_commit(
            session,
            lambda: self._deliver(
                delivery, record, subject, text, now, fail_loudly=not after_registration
            ),
        )

    async def _deliver(
        self,
        delivery: EmailDelivery,
        record: EmailVerificationCode,
        subject: str,
        text: str,
        now: datetime,
        *,
        fail_loudly: bool,
    ) -> None:
        try:
            await delivery.provider.send(record.email, subject, text)
        except EmailDeliveryError as exc:
            log.warning("email_failed", provider=delivery.provider.name, error=str(exc))
            # A code never received must not stay usable, nor hold the resend cooldown.
            async with delivery.sessionmaker() as session, session.begin():
                await identity_repository.delete_email_code(session, record.id)
                audit_service.record(
                    session,
                    action="auth.email.send_failed",
                    resource_type="email_verification",
                    resource_id=record.id,
                    details={"email": record.email},
                    now=now,
                )
            if fail_loudly:
                raise EmailNotSent() from exc

    async def verify(
        self, session: AsyncSession, settings: Settings, email: str, code: str, now: datetime
    ) -> None:
        """Check and spend the address's live code. Each check reserves one of the capped
        attempts first, atomically."""
        live = await identity_repository.live_email_code(session, email)
        if live is None:
            raise InvalidEmailCode()
        if live.expires_at <= now:
            raise EmailCodeExpired()
        if live.attempts >= settings.otp_max_attempts:
            raise EmailCodeAttemptsExceeded()
        attempts = await identity_repository.reserve_email_attempt(
            session, live.id, settings.otp_max_attempts
        )
        if attempts is None:
            raise EmailCodeAttemptsExceeded()
        if not same_digest(self._hash(settings, email, code), live.code_hash):
            raise InvalidEmailCode()
        if not await identity_repository.consume_email_code(session, live.id, now):
            raise InvalidEmailCode()


email_verification_service = EmailVerificationService()
