"""Proving an account's e-mail address: 6 CSPRNG digits mailed after the transaction commits,
one-time codes bound to the address (a lifetime, an attempt cap, single use) with a resend
cooldown; and the account's flag set once a code passes."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.auth.email_verification.exceptions import (
    EmailCodeResendTooSoon,
    InvalidEmailCode,
)
from fitcoach.auth.email_verification.repository import email_codes
from fitcoach.auth.identifiers import parse_email
from fitcoach.auth.onetime_codes import Attempt, NewCode
from fitcoach.config import Settings
from fitcoach.core.crypto import seal, unseal
from fitcoach.models import EmailVerificationCode
from fitcoach.notifications.email import EmailDeliveryError, EmailProvider
from fitcoach.users.service import user_service
from fitcoach.worker.jobs import JobContext, enqueue_job, job

log = structlog.get_logger("fitcoach.email_verification")

SEND_EMAIL_CODE_JOB = "auth.email.send_code"
_SEAL_PURPOSE = "email-code"


@dataclass(frozen=True)
class EmailDelivery:
    """That the code is to be mailed. The sending is a background job (SEND_EMAIL_CODE_JOB)
    with the app's provider, retried while the mail server is away."""


@dataclass(frozen=True)
class CodeMail:
    """A code to issue for an address; without a delivery it is recorded, never sent."""

    email: str
    delivery: EmailDelivery | None
    now: datetime
    after_registration: bool = False


class EmailVerificationService:
    async def issue(self, session: AsyncSession, settings: Settings, mail: CodeMail) -> None:
        """Record a code and mail it (a job) once the transaction commits. Without a delivery
        (an unknown or already verified address) it is recorded, never sent, so the cooldown
        answers alike. Right after registration there is no cooldown to wait out."""
        email, delivery, now = mail.email, mail.delivery, mail.now
        after_registration = mail.after_registration
        newest = await email_codes.newest(session, EmailVerificationCode.email == email)
        if newest is not None and not after_registration:
            ready_at = newest.created_at + timedelta(seconds=settings.otp_resend_seconds)
            if ready_at > now:
                raise EmailCodeResendTooSoon(
                    retry_after=math.ceil((ready_at - now).total_seconds())
                )
        issued = await email_codes.issue(
            session,
            settings,
            NewCode(
                owner={"email": email},
                bound_to=(email,),
                lifetime=timedelta(seconds=settings.email_code_ttl_seconds),
                now=now,
            ),
        )
        record, code = issued.row, issued.secret
        audit_service.record(
            session,
            AuditEvent(
                action="auth.email.code_sent",
                resource_type="email_verification",
                resource_id=record.id,
                details={"email": email, "emailSent": delivery is not None},
            ),
            now,
        )
        if delivery is None:
            return
        minutes = max(settings.email_code_ttl_seconds // 60, 1)
        subject = f"{settings.app_name}: verify your email"
        text = (
            f"Your {settings.app_name} email verification code is {code}. It expires in "
            f"{minutes} minutes. If you did not ask for it, ignore this email."
        )
        enqueue_job(
            session,
            SEND_EMAIL_CODE_JOB,
            {
                "code_id": str(record.id),
                "subject": subject,
                "sealed_text": seal(settings.signing_secret, _SEAL_PURPOSE, text),
            },
            dedupe_key=f"email-code:{record.id}",
        )

    async def verify(
        self, session: AsyncSession, settings: Settings, email: str, code: str, now: datetime
    ) -> None:
        """Check and spend the address's live code."""
        live = await email_codes.live(session, EmailVerificationCode.email == email)
        if live is None:
            raise InvalidEmailCode()

        async def same_code(_attempts: int) -> None:
            if not email_codes.matches(settings, live, (email,), code):
                raise InvalidEmailCode()

        await email_codes.check_and_spend(
            session, live, same_code, Attempt(max_attempts=settings.otp_max_attempts, now=now)
        )

    # The public routes ----------------------------------------------------------------------

    async def send_code(
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
        await self.issue(session, settings, CodeMail(email, delivery if needs_code else None, now))

    async def verify_address(
        self, session: AsyncSession, settings: Settings, raw_email: str, code: str, now: datetime
    ) -> None:
        email = parse_email(raw_email)
        await self.verify(session, settings, email, code, now)
        user = await user_service.find_by_email(session, email)
        if user is None:
            raise InvalidEmailCode()
        if not user.email_verified:
            user.email_verified = True
            audit_service.record(
                session,
                AuditEvent(
                    action="auth.email.verified",
                    resource_type="user",
                    resource_id=user.id,
                    changes={"email_verified": {"before": False, "after": True}},
                    actor_id=user.id,
                ),
                now,
            )


email_verification_service = EmailVerificationService()


@job(SEND_EMAIL_CODE_JOB, max_attempts=6)
async def send_email_code(ctx: JobContext, code_id: str, subject: str, sealed_text: str) -> None:
    """Mail a verification code; a failure raises, so the job is retried with backoff. A code
    already replaced, used or expired is not worth sending."""
    record = await ctx.session.get(EmailVerificationCode, uuid.UUID(code_id))
    if record is None or record.consumed_at is not None or record.expires_at <= ctx.now:
        return
    provider: EmailProvider = ctx.state.email_provider
    settings: Settings = ctx.state.settings
    try:
        await provider.send(
            record.email, subject, unseal(settings.signing_secret, _SEAL_PURPOSE, sealed_text)
        )
    except EmailDeliveryError as exc:
        log.warning("email_failed", provider=provider.name, error=str(exc))
        raise
