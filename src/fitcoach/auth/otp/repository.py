"""Every query on SMS codes: the one-time-code rules over the otp_codes table (a code is owned
by a phone and a purpose), and the counts behind the daily send cap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.auth.onetime_codes import OnetimeCodes, Refusals
from fitcoach.auth.otp.exceptions import InvalidOtp, OtpAttemptsExceeded, OtpExpired
from fitcoach.models import OtpCode

otp_codes = OnetimeCodes(
    OtpCode,
    key_purpose="otp",
    refusals=Refusals(unknown=InvalidOtp, expired=OtpExpired, exhausted=OtpAttemptsExceeded),
)


@dataclass(frozen=True)
class SendsSince:
    """A phone's codes issued since a moment: how many, the first and the last."""

    count: int
    first: datetime | None
    last: datetime | None


class OtpRepository:
    async def sends_since(self, session: AsyncSession, phone: str, since: datetime) -> SendsSince:
        """One aggregate for both send limits: the cooldown reads the last code, the daily cap
        the count and, when it is reached, the first."""
        found = (
            await session.execute(
                select(func.count(), func.min(OtpCode.created_at), func.max(OtpCode.created_at))
                .select_from(OtpCode)
                .where(OtpCode.phone == phone, OtpCode.created_at >= since)
            )
        ).one()
        return SendsSince(count=int(found[0]), first=found[1], last=found[2])


otp_repository = OtpRepository()
