"""Brute-force protection of password login, built so that it cannot be turned against the
victim. Wrong passwords are counted per client address and per account:

- an address with `login_max_failures` wrong passwords (on any accounts, known or not) within
  `login_lock_minutes` is locked out of password login, for `login_lock_minutes`, each repeat
  lock twice as long (up to `login_lock_max_minutes`);
- an account with `login_max_failures` wrong passwords in a row (from any addresses) is only
  slowed: password login to it pauses for `login_slow_seconds`, then allows as many again.

So ten wrong passwords from one address lock that address, not the account: its owner, from
anywhere else, signs in once the short pause is over. A success resets the account's count; an
address's count only expires, so that signing in to one's own account cannot reset it.

A wrong password costs the same work whether the account exists, is paused or is unknown: one
argon2 verification (a dummy hash without an account) and the same statements (the account's
count runs against no row), so neither the answer nor its time tells which accounts exist."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.auth.passwords.repository import login_source_repository
from fitcoach.config import Settings
from fitcoach.models import User
from fitcoach.users.service import user_service

# The exponent is capped before the configured maximum applies, so the arithmetic stays small.
_MAX_LOCK_DOUBLINGS = 20
# The id no account has: an unknown account's failure is counted against it, matching no row.
_NO_ACCOUNT = uuid.UUID(int=0)


@dataclass(frozen=True)
class PasswordAttempt:
    user: User | None
    ip: str
    now: datetime


class LoginLockout:
    async def refusal(self, session: AsyncSession, attempt: PasswordAttempt) -> str | None:
        """Why the attempt is refused before its password counts: "source" or "account"."""
        source_until = await login_source_repository.locked_until(session, attempt.ip)
        if source_until is not None and source_until > attempt.now:
            return "source"
        user = attempt.user
        if user is not None and user.locked_until is not None and user.locked_until > attempt.now:
            return "account"
        return None

    async def count_failure(
        self, session: AsyncSession, settings: Settings, attempt: PasswordAttempt
    ) -> None:
        """Count a wrong password against the address and (unless it is paused already) the
        account. The refusal that follows is committed, counters included (record_failure)."""
        await self._count_source_failure(session, settings, attempt)
        await self._count_account_failure(session, settings, attempt)

    async def _count_source_failure(
        self, session: AsyncSession, settings: Settings, attempt: PasswordAttempt
    ) -> None:
        now = attempt.now
        window = timedelta(minutes=settings.login_lock_minutes)
        failures, level = await login_source_repository.count_failure(
            session, attempt.ip, now, now - window
        )
        if failures < settings.login_max_failures:
            return
        minutes = min(
            settings.login_lock_minutes * 2 ** min(level, _MAX_LOCK_DOUBLINGS),
            settings.login_lock_max_minutes,
        )
        until = now + timedelta(minutes=minutes)
        if await login_source_repository.lock(
            session, attempt.ip, level=level, until=until, threshold=settings.login_max_failures
        ):
            audit_service.record(
                session,
                AuditEvent(
                    action="auth.source.locked",
                    resource_type="client_ip",
                    resource_id=attempt.ip,
                    details={"failures": failures, "minutes": minutes, "until": until.isoformat()},
                ),
                now,
            )

    async def _count_account_failure(
        self, session: AsyncSession, settings: Settings, attempt: PasswordAttempt
    ) -> None:
        # The same statement whether the account exists or is paused (it then counts nothing):
        # like the dummy hash, so that a failure costs the same work either way.
        user_id = attempt.user.id if attempt.user is not None else _NO_ACCOUNT
        now = attempt.now
        counted = await user_service.count_failed_login(session, user_id, now)
        if counted is None or counted[0] < settings.login_max_failures:
            return
        failures, level = counted
        until = now + timedelta(seconds=settings.login_slow_seconds)
        if await user_service.lock_login(
            session, user_id, level=level, until=until, threshold=settings.login_max_failures
        ):
            audit_service.record(
                session,
                AuditEvent(
                    action="auth.account.slowed",
                    resource_type="user",
                    resource_id=user_id,
                    details={
                        "failures": failures,
                        "seconds": settings.login_slow_seconds,
                        "until": until.isoformat(),
                    },
                    actor_id=user_id,
                ),
                now,
            )


login_lockout = LoginLockout()
