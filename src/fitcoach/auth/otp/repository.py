"""Every query on SMS codes: the one-time-code rules over the otp_codes table (a code is owned
by a phone and a purpose), and the counts behind the daily send cap."""

from __future__ import annotations

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


class OtpRepository:
    async def count_since(self, session: AsyncSession, phone: str, since: datetime) -> int:
        result = await session.execute(
            select(func.count())
            .select_from(OtpCode)
            .where(OtpCode.phone == phone, OtpCode.created_at >= since)
        )
        return int(result.scalar_one())

    async def oldest_since(
        self, session: AsyncSession, phone: str, since: datetime
    ) -> datetime | None:
        result = await session.execute(
            select(func.min(OtpCode.created_at)).where(
                OtpCode.phone == phone, OtpCode.created_at >= since
            )
        )
        return result.scalar_one_or_none()


otp_repository = OtpRepository()
