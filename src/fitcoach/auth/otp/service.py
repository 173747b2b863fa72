"""The OTP rules: 6 CSPRNG digits, stored as an HMAC bound to phone and purpose, a lifetime, a
resend cooldown and a daily cap per phone, an attempt cap, and single use."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.auth.onetime_codes import Attempt, NewCode
from fitcoach.auth.otp.exceptions import (
    InvalidOtp,
    OtpDailyLimitReached,
    OtpResendTooSoon,
)
from fitcoach.auth.otp.providers import SmsDeliveryError, SmsProvider, SmsProviderUnavailable
from fitcoach.auth.otp.repository import otp_codes, otp_repository
from fitcoach.config import Settings
from fitcoach.core.crypto import seal, unseal
from fitcoach.core.metrics import OTP_SEND_FAILURES, OTP_SENT, SMS_PROVIDER_ERRORS
from fitcoach.models import OtpCode
from fitcoach.models.enums import OtpPurpose
from fitcoach.worker.jobs import JobContext, enqueue_job, job

log = structlog.get_logger("fitcoach.otp")

_DAY = timedelta(days=1)
SEND_SMS_JOB = "auth.otp.send_sms"
# The job waits in the database with the code in its text: sealed, so reading the jobs table
# does not give anyone a live code.
_SEAL_PURPOSE = "otp-sms"


@dataclass(frozen=True)
class SmsDelivery:
    """That the code is to be sent. The send itself is a background job (SEND_SMS_JOB) with
    the app's provider: a provider outage retries it instead of failing the request."""


@dataclass(frozen=True)
class CodeRequest:
    """A code to send: without a delivery it is recorded but never sent."""

    phone: str
    purpose: OtpPurpose
    now: datetime
    delivery: SmsDelivery | None


@dataclass(frozen=True)
class PresentedCode:
    phone: str
    purposes: tuple[OtpPurpose, ...]
    code: str
    now: datetime
    spend: bool


class OtpService:
    async def issue(self, session: AsyncSession, settings: Settings, request: CodeRequest) -> None:
        """Create a code and, with a delivery, send it (a job) once the transaction commits.
        Without one (forgot-password for an unknown phone) the code is recorded but never sent,
        so cooldowns and caps answer exactly as they do for a real account."""
        phone, purpose, now, delivery = (
            request.phone,
            request.purpose,
            request.now,
            request.delivery,
        )
        fixed_code = settings.test_otps.get(phone)
        if fixed_code is None:
            await self._enforce_send_limits(session, settings, phone, now)
        issued = await otp_codes.issue(
            session,
            settings,
            NewCode(
                owner={"phone": phone, "purpose": purpose.value},
                bound_to=(phone, purpose.value),
                lifetime=timedelta(seconds=settings.otp_ttl_seconds),
                now=now,
                secret=fixed_code,
            ),
        )
        record = issued.row
        sends_sms = delivery is not None and fixed_code is None
        audit_service.record(
            session,
            AuditEvent(
                action="otp.sent",
                resource_type="otp",
                resource_id=record.id,
                details={"phone": phone, "purpose": purpose.value, "smsSent": sends_sms},
            ),
            now,
        )
        if delivery is None or fixed_code is not None:
            return
        text = self._message(settings, purpose, issued.secret)
        enqueue_job(
            session,
            SEND_SMS_JOB,
            {
                "otp_id": str(record.id),
                "sealed_text": seal(settings.signing_secret, _SEAL_PURPOSE, text),
            },
            dedupe_key=f"otp-sms:{record.id}",
        )

    async def _enforce_send_limits(
        self, session: AsyncSession, settings: Settings, phone: str, now: datetime
    ) -> None:
        # The cooldown (at most an hour) can only be set by a code of the last day.
        sent = await otp_repository.sends_since(session, phone, now - _DAY)
        if sent.last is not None:
            ready_at = sent.last + timedelta(seconds=settings.otp_resend_seconds)
            if ready_at > now:
                raise OtpResendTooSoon(retry_after=math.ceil((ready_at - now).total_seconds()))
        if sent.count >= settings.otp_max_sends_per_day:
            wait = (sent.first + _DAY - now).total_seconds() if sent.first else _DAY.total_seconds()
            raise OtpDailyLimitReached(retry_after=math.ceil(wait))

    def _message(self, settings: Settings, purpose: OtpPurpose, code: str) -> str:
        minutes = max(settings.otp_ttl_seconds // 60, 1)
        what = (
            "password reset code" if purpose is OtpPurpose.password_reset else "verification code"
        )
        return (
            f"{settings.app_name}: your {what} is {code}. It expires in {minutes} minutes. "
            "Never share it with anyone."
        )

    async def verify(
        self, session: AsyncSession, settings: Settings, presented: PresentedCode
    ) -> None:
        """Check a code against the phone's live code of the given purposes, and spend it if
        asked; a right code that is only checked stays usable with its attempt given back."""
        phone, now = presented.phone, presented.now
        owner = (
            OtpCode.phone == phone,
            OtpCode.purpose.in_([purpose.value for purpose in presented.purposes]),
        )
        attempt = Attempt(max_attempts=settings.otp_max_attempts, now=now, spend=presented.spend)
        if presented.spend:
            # The code is bound to its purpose: one candidate hash per purpose asked for.
            right = or_(
                *(
                    and_(
                        OtpCode.purpose == purpose.value,
                        OtpCode.code_hash
                        == otp_codes.digest(settings, phone, purpose.value, presented.code),
                    )
                    for purpose in presented.purposes
                )
            )
            if await otp_codes.spend_if_right(session, owner, right, attempt):
                return
        live = await otp_codes.live(session, *owner)
        if live is None:
            raise InvalidOtp()

        async def same_code(attempts: int) -> None:
            if otp_codes.matches(settings, live, (phone, live.purpose), presented.code):
                return
            if attempts == settings.otp_max_attempts:
                audit_service.record(
                    session,
                    AuditEvent(
                        action="otp.attempts_exhausted",
                        resource_type="otp",
                        resource_id=live.id,
                        details={"phone": phone, "purpose": live.purpose},
                    ),
                    now,
                )
            raise InvalidOtp()

        await otp_codes.check_and_spend(session, live, same_code, attempt)


otp_service = OtpService()


@job(SEND_SMS_JOB, max_attempts=6)
async def send_otp_sms(ctx: JobContext, otp_id: str, sealed_text: str) -> None:
    """Send a code's SMS. A provider outage raises, so the job is retried with backoff; a
    refusal (a number the provider rejects) retires the code at once, so it neither stays
    usable unseen nor holds the resend cooldown. A code already replaced, used or expired is
    not worth sending."""
    provider: SmsProvider = ctx.state.sms_provider
    settings: Settings = ctx.state.settings
    record = await ctx.session.get(OtpCode, uuid.UUID(otp_id))
    if record is None or record.consumed_at is not None or record.expires_at <= ctx.now:
        return
    text = unseal(settings.signing_secret, _SEAL_PURPOSE, sealed_text)
    try:
        await provider.send(record.phone, text)
    except SmsProviderUnavailable as exc:
        log.warning("sms_failed", provider=provider.name, kind="unavailable", error=str(exc))
        SMS_PROVIDER_ERRORS.labels(provider=provider.name, kind="unavailable").inc()
        raise
    except SmsDeliveryError as exc:
        log.warning("sms_failed", provider=provider.name, kind="refused", error=str(exc))
        SMS_PROVIDER_ERRORS.labels(provider=provider.name, kind="refused").inc()
        OTP_SEND_FAILURES.labels(purpose=record.purpose).inc()
        await otp_codes.delete(ctx.session, record.id)
        audit_service.record(
            ctx.session,
            AuditEvent(
                action="otp.send_failed",
                resource_type="otp",
                resource_id=record.id,
                details={"phone": record.phone, "purpose": record.purpose, "error": "refused"},
            ),
            ctx.now,
        )
        return
    OTP_SENT.labels(purpose=record.purpose).inc()
