"""Every query on OTP codes. Attempt counting and spending are single conditional UPDATEs, so
concurrent requests cannot both pass a check that only one of them should pass."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import OtpCode


class OtpRepository:
    async def newest_for_phone(self, session: AsyncSession, phone: str) -> OtpCode | None:
        result = await session.execute(
            select(OtpCode)
            .where(OtpCode.phone == phone)
            .order_by(OtpCode.created_at.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

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

    async def live_code(
        self, session: AsyncSession, phone: str, purposes: Sequence[str]
    ) -> OtpCode | None:
        result = await session.execute(
            select(OtpCode)
            .where(
                OtpCode.phone == phone, OtpCode.purpose.in_(purposes), OtpCode.consumed_at.is_(None)
            )
            .order_by(OtpCode.created_at.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def retire_live_codes(
        self, session: AsyncSession, phone: str, purpose: str, now: datetime
    ) -> None:
        await session.execute(
            update(OtpCode)
            .where(
                OtpCode.phone == phone, OtpCode.purpose == purpose, OtpCode.consumed_at.is_(None)
            )
            .values(consumed_at=now)
            .execution_options(synchronize_session=False)
        )

    async def reserve_attempt(
        self, session: AsyncSession, code_id: uuid.UUID, max_attempts: int
    ) -> int | None:
        """Count one more evaluation of the code: the new count, or None when the cap was
        already reached or the code spent."""
        result = await session.execute(
            update(OtpCode)
            .where(
                OtpCode.id == code_id,
                OtpCode.attempts < max_attempts,
                OtpCode.consumed_at.is_(None),
            )
            .values(attempts=OtpCode.attempts + 1)
            .returning(OtpCode.attempts)
            .execution_options(synchronize_session=False)
        )
        return result.scalar_one_or_none()

    async def refund_attempt(
        self, session: AsyncSession, code_id: uuid.UUID, *, consume_at: datetime | None
    ) -> bool:
        """Give back the attempt a right code reserved; with consume_at, also spend the code.
        False when another request spent it first."""
        values: dict[str, object] = {"attempts": OtpCode.attempts - 1}
        if consume_at is not None:
            values["consumed_at"] = consume_at
        result: CursorResult[tuple[()]] = await session.execute(  # type: ignore[assignment]
            update(OtpCode)
            .where(OtpCode.id == code_id, OtpCode.consumed_at.is_(None))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def get(self, session: AsyncSession, code_id: uuid.UUID) -> OtpCode | None:
        result = await session.execute(
            select(OtpCode).where(OtpCode.id == code_id).execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()

    async def delete(self, session: AsyncSession, code_id: uuid.UUID) -> None:
        await session.execute(delete(OtpCode).where(OtpCode.id == code_id))


otp_repository = OtpRepository()
