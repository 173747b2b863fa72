"""The OTP rules: 6 CSPRNG digits, stored as an HMAC bound to phone and purpose, a lifetime, a
resend cooldown and a daily cap per phone, an attempt cap, and single use."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.auth.onetime_codes import Attempt, NewCode
from fitcoach.auth.otp.exceptions import (
    InvalidOtp,
    OtpDailyLimitReached,
    OtpResendTooSoon,
    SmsNotSent,
    SmsServiceUnavailable,
)
from fitcoach.auth.otp.providers import SmsDeliveryError, SmsProvider, SmsProviderUnavailable
from fitcoach.auth.otp.repository import otp_codes, otp_repository
from fitcoach.config import Settings
from fitcoach.core.metrics import OTP_SEND_FAILURES, OTP_SENT, SMS_PROVIDER_ERRORS
from fitcoach.db.session import after_commit
from fitcoach.models import OtpCode
from fitcoach.models.enums import OtpPurpose

log = structlog.get_logger("fitcoach.otp")

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class SmsDelivery:
    """What sending needs beyond the request's own session: the provider, and a way to open a
    fresh transaction to retire a code whose SMS never left."""

    provider: SmsProvider
    sessionmaker: async_sessionmaker[AsyncSession]


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
        """Create a code and, with a delivery, send it once the transaction commits. Without one
        (forgot-password for an unknown phone) the code is recorded but never sent, so cooldowns
        and caps answer exactly as they do for a real account."""
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
        after_commit(session, lambda: self._deliver(delivery, record, text, now))

    async def _enforce_send_limits(
        self, session: AsyncSession, settings: Settings, phone: str, now: datetime
    ) -> None:
        newest = await otp_codes.newest(session, OtpCode.phone == phone)
        if newest is not None:
            ready_at = newest.created_at + timedelta(seconds=settings.otp_resend_seconds)
            if ready_at > now:
                raise OtpResendTooSoon(retry_after=math.ceil((ready_at - now).total_seconds()))
        if (
            await otp_repository.count_since(session, phone, now - _DAY)
            >= settings.otp_max_sends_per_day
        ):
            oldest = await otp_repository.oldest_since(session, phone, now - _DAY)
            wait = (oldest + _DAY - now).total_seconds() if oldest else _DAY.total_seconds()
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

    async def _deliver(
        self, delivery: SmsDelivery, record: OtpCode, text: str, now: datetime
    ) -> None:
        try:
            await delivery.provider.send(record.phone, text)
        except (SmsDeliveryError, SmsProviderUnavailable) as exc:
            kind = "unavailable" if isinstance(exc, SmsProviderUnavailable) else "refused"
            log.warning("sms_failed", provider=delivery.provider.name, kind=kind, error=str(exc))
            SMS_PROVIDER_ERRORS.labels(provider=delivery.provider.name, kind=kind).inc()
            OTP_SEND_FAILURES.labels(purpose=record.purpose).inc()
            # A code the user never received must not stay usable, nor hold the resend cooldown.
            async with delivery.sessionmaker() as session, session.begin():
                await otp_codes.delete(session, record.id)
                audit_service.record(
                    session,
                    AuditEvent(
                        action="otp.send_failed",
                        resource_type="otp",
                        resource_id=record.id,
                        details={"phone": record.phone, "purpose": record.purpose, "error": kind},
                    ),
                    now,
                )
            if isinstance(exc, SmsProviderUnavailable):
                raise SmsServiceUnavailable() from exc
            raise SmsNotSent() from exc
        OTP_SENT.labels(purpose=record.purpose).inc()

    async def verify(
        self, session: AsyncSession, settings: Settings, presented: PresentedCode
    ) -> None:
        """Check a code against the phone's live code of the given purposes, and spend it if
        asked; a right code that is only checked stays usable with its attempt given back."""
        phone, now = presented.phone, presented.now
        live = await otp_codes.live(
            session,
            OtpCode.phone == phone,
            OtpCode.purpose.in_([purpose.value for purpose in presented.purposes]),
        )
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

        await otp_codes.check_and_spend(
            session,
            live,
            same_code,
            Attempt(max_attempts=settings.otp_max_attempts, now=now, spend=presented.spend),
        )


otp_service = OtpService()
