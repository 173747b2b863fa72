"""Every query on TOTP secrets, recovery codes and MFA login challenges (these through the
one-time-code rules). Whatever may be spent once (a time step, a recovery code, a challenge and
its attempts) is spent by one conditional UPDATE, so two concurrent requests can't both
succeed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.auth.mfa.exceptions import InvalidMfaToken, MfaAttemptsExceeded
from fitcoach.auth.onetime_codes import OnetimeCodes, Refusals
from fitcoach.core.crypto import random_token
from fitcoach.models import MfaChallenge, MfaRecoveryCode, MfaTotp

# A login challenge is a one-time code whose secret is a token naming it; a user may have several
# pending (one per device signing in), so a new one does not end the others.
mfa_challenges = OnetimeCodes(
    MfaChallenge,
    key_purpose="mfa-token",
    refusals=Refusals(
        unknown=InvalidMfaToken, expired=InvalidMfaToken, exhausted=MfaAttemptsExceeded
    ),
    hash_column="token_hash",
    fresh_secret=random_token,
    one_live_per_owner=False,
)


def _changed_one(result: object) -> bool:
    rows: CursorResult[tuple[()]] = result  # type: ignore[assignment]
    return rows.rowcount == 1


class MfaRepository:
    async def totp_of(self, session: AsyncSession, user_id: uuid.UUID) -> MfaTotp | None:
        result = await session.execute(
            select(MfaTotp)
            .where(MfaTotp.user_id == user_id)
            .execution_options(populate_existing=True)
        )
        return result.scalar_one_or_none()

    def add(self, session: AsyncSession, row: object) -> None:
        session.add(row)

    async def delete_totp(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await session.execute(delete(MfaTotp).where(MfaTotp.user_id == user_id))
        await session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user_id))

    async def use_time_step(self, session: AsyncSession, user_id: uuid.UUID, step: int) -> bool:
        """Record `step` as used; False when it, or a later one, was used already (a replay)."""
        result = await session.execute(
            update(MfaTotp)
            .where(
                MfaTotp.user_id == user_id,
                (MfaTotp.last_used_step.is_(None)) | (MfaTotp.last_used_step < step),
            )
            .values(last_used_step=step)
            .execution_options(synchronize_session=False)
        )
        return _changed_one(result)

    async def use_recovery_code(
        self, session: AsyncSession, user_id: uuid.UUID, code_hash: str, now: datetime
    ) -> bool:
        result = await session.execute(
            update(MfaRecoveryCode)
            .where(
                MfaRecoveryCode.user_id == user_id,
                MfaRecoveryCode.code_hash == code_hash,
                MfaRecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return _changed_one(result)


mfa_repository = MfaRepository()
