"""Brute-force protection of password login: consecutive wrong passwords are counted per
account; the Nth in a row locks it, each lock twice as long as the one before (up to the
configured maximum), until a login succeeds."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import audit_service
from fitcoach.config import Settings
from fitcoach.models import User
from fitcoach.users.service import user_service

# The exponent is capped before the configured maximum applies, so the arithmetic stays small.
_MAX_LOCK_DOUBLINGS = 20


class LoginLockout:
    def is_locked(self, user: User | None, now: datetime) -> bool:
        return user is not None and user.locked_until is not None and user.locked_until > now

    async def count_failure(
        self, session: AsyncSession, settings: Settings, user: User, now: datetime
    ) -> None:
        """Count a wrong password. The refusal that follows is committed, counter included
        (record_failure)."""
        counted = await user_service.count_failed_login(session, user.id)
        if counted is None or counted[0] < settings.login_max_failures:
            return
        failures, level = counted
        minutes = min(
            settings.login_lock_minutes * 2 ** min(level, _MAX_LOCK_DOUBLINGS),
            settings.login_lock_max_minutes,
        )
        until = now + timedelta(minutes=minutes)
        if await user_service.lock_login(
            session, user.id, level=level, until=until, threshold=settings.login_max_failures
        ):
            audit_service.record(
                session,
                action="auth.account.locked",
                resource_type="user",
                resource_id=user.id,
                actor_id=user.id,
                details={"failures": failures, "minutes": minutes, "until": until.isoformat()},
                now=now,
            )


login_lockout = LoginLockout()
