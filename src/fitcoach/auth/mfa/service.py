"""TOTP second factor: setup, confirmation with recovery codes, turning it off, and the login
challenge every sign-in of an MFA user must pass.

Secrets are stored encrypted (Fernet, with a key derived from the signing secret); recovery
codes and challenge tokens only as keyed hashes. A TOTP code is accepted once: the last used
time step is remembered. Challenges live minutes, allow a capped number of wrong codes, and are
spent by their first success."""

from __future__ import annotations

import base64
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service, secret_changed
from fitcoach.auth.exceptions import WrongCurrentPassword
from fitcoach.auth.mfa.exceptions import (
    InvalidMfaCode,
    InvalidMfaToken,
    InvalidRecoveryCode,
    MfaAlreadyEnabled,
    MfaNotEnabled,
    MfaSetupNotStarted,
)
from fitcoach.auth.mfa.repository import mfa_challenges, mfa_repository
from fitcoach.auth.onetime_codes import Attempt, NewCode
from fitcoach.auth.password_hashing import verify_password
from fitcoach.config import Settings
from fitcoach.core.crypto import derive_key, keyed_hash
from fitcoach.models import MfaRecoveryCode, MfaTotp, User

TOTP_STEP_SECONDS = 30
# A code of the previous or next step is accepted too, for clocks a little apart.
TOTP_DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes
_RECOVERY_HALF = 5


@dataclass(frozen=True)
class TotpSetup:
    secret: str
    otpauth_uri: str


@dataclass(frozen=True)
class MfaProof:
    """The second factor of a pending login: its token and one of a code or a recovery code."""

    mfa_token: str
    code: str | None
    recovery_code: str | None


@dataclass(frozen=True)
class PassedChallenge:
    user_id: uuid.UUID
    method: str  # the first factor: "password", "otp", "google", ...
    factor: str  # "totp" or "recovery_code"


def _fernet(settings: Settings) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive_key(settings.signing_secret, "mfa-totp-secret")))


def _new_recovery_code() -> str:
    chars = [secrets.choice(_RECOVERY_ALPHABET) for _ in range(2 * _RECOVERY_HALF)]
    return "".join(chars[:_RECOVERY_HALF]) + "-" + "".join(chars[_RECOVERY_HALF:])


def _normalise_recovery_code(code: str) -> str:
    return "".join(code.lower().split()).replace("-", "")


class MfaService:
    # Secrets and codes ----------------------------------------------------------------------

    def _encrypt(self, settings: Settings, secret: str) -> str:
        return _fernet(settings).encrypt(secret.encode()).decode()

    def _decrypt(self, settings: Settings, stored: str) -> str:
        return _fernet(settings).decrypt(stored.encode()).decode()

    def _recovery_hash(self, settings: Settings, user_id: uuid.UUID, code: str) -> str:
        key = derive_key(settings.signing_secret, "mfa-recovery-code")
        return keyed_hash(key, str(user_id), _normalise_recovery_code(code))

    def _matching_step(self, secret: str, code: str, now: datetime) -> int | None:
        totp = pyotp.TOTP(secret, interval=TOTP_STEP_SECONDS)
        current = int(now.timestamp()) // TOTP_STEP_SECONDS
        for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
            if hmac.compare_digest(totp.at(step * TOTP_STEP_SECONDS), code):
                return step
        return None

    async def _accept_totp(
        self, session: AsyncSession, settings: Settings, row: MfaTotp, code: str, now: datetime
    ) -> bool:
        step = self._matching_step(self._decrypt(settings, row.secret_encrypted), code, now)
        return step is not None and await mfa_repository.use_time_step(session, row.user_id, step)

    # Setup and teardown ---------------------------------------------------------------------

    async def begin_setup(
        self, session: AsyncSession, settings: Settings, user: User, now: datetime
    ) -> TotpSetup:
        """A new pending secret; any earlier unconfirmed one is replaced."""
        if user.mfa_enabled:
            raise MfaAlreadyEnabled()
        secret = pyotp.random_base32()
        row = await mfa_repository.totp_of(session, user.id)
        if row is None:
            row = MfaTotp(user_id=user.id, created_at=now)
            mfa_repository.add(session, row)
        row.secret_encrypted = self._encrypt(settings, secret)
        row.confirmed_at = None
        row.last_used_step = None
        row.created_at = now
        await session.flush()
        label = user.email or user.phone or str(user.id)
        uri = pyotp.TOTP(secret, interval=TOTP_STEP_SECONDS).provisioning_uri(
            name=label, issuer_name=settings.app_name
        )
        audit_service.record(
            session,
            AuditEvent(action="auth.mfa.setup_started", resource_type="user", resource_id=user.id),
            now,
        )
        return TotpSetup(secret=secret, otpauth_uri=uri)

    async def confirm_setup(
        self, session: AsyncSession, settings: Settings, user: User, code: str, now: datetime
    ) -> list[str]:
        """Turn MFA on with a first good code; answers the recovery codes, which are never
        shown again."""
        if user.mfa_enabled:
            raise MfaAlreadyEnabled()
        row = await mfa_repository.totp_of(session, user.id)
        if row is None:
            raise MfaSetupNotStarted()
        if not await self._accept_totp(session, settings, row, code, now):
            error = InvalidMfaCode()
            audit_service.record_failure(
                session,
                error,
                AuditEvent(
                    action="auth.mfa.failed",
                    resource_type="user",
                    resource_id=user.id,
                    details={"step": "confirm"},
                ),
                now,
            )
            raise error
        row.confirmed_at = now
        user.mfa_enabled = True
        codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        for code_text in codes:
            mfa_repository.add(
                session,
                MfaRecoveryCode(
                    user_id=user.id,
                    code_hash=self._recovery_hash(settings, user.id, code_text),
                    created_at=now,
                ),
            )
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="auth.mfa.enabled",
                resource_type="user",
                resource_id=user.id,
                changes={
                    "mfa_enabled": {"before": False, "after": True},
                    **secret_changed("secret"),
                },
            ),
            now,
        )
        return codes

    async def disable(
        self,
        session: AsyncSession,
        settings: Settings,
        user: User,
        *,
        code: str | None,
        password: str | None,
        now: datetime,
    ) -> None:
        if not user.mfa_enabled:
            raise MfaNotEnabled()
        row = await mfa_repository.totp_of(session, user.id)
        if password is not None:
            if not await verify_password(user.password_hash, password):
                raise WrongCurrentPassword()
        elif row is None or not await self._accept_totp(session, settings, row, code or "", now):
            error = InvalidMfaCode()
            audit_service.record_failure(
                session,
                error,
                AuditEvent(
                    action="auth.mfa.failed",
                    resource_type="user",
                    resource_id=user.id,
                    details={"step": "disable"},
                ),
                now,
            )
            raise error
        await mfa_repository.delete_totp(session, user.id)
        user.mfa_enabled = False
        audit_service.record(
            session,
            AuditEvent(
                action="auth.mfa.disabled",
                resource_type="user",
                resource_id=user.id,
                changes={"mfa_enabled": {"before": True, "after": False}},
                details={"proof": "password" if password is not None else "totp"},
            ),
            now,
        )

    # Login challenges -----------------------------------------------------------------------

    async def start_challenge(
        self, session: AsyncSession, settings: Settings, user: User, method: str, now: datetime
    ) -> str:
        issued = await mfa_challenges.issue(
            session,
            settings,
            NewCode(
                owner={"user_id": user.id, "method": method},
                bound_to=(),
                lifetime=timedelta(seconds=settings.mfa_token_ttl_seconds),
                now=now,
            ),
        )
        audit_service.record(
            session,
            AuditEvent(
                action="auth.mfa.challenged",
                resource_type="user",
                resource_id=user.id,
                details={"method": method},
                actor=user,
            ),
            now,
        )
        return issued.secret

    async def pass_challenge(
        self, session: AsyncSession, settings: Settings, proof: MfaProof, now: datetime
    ) -> PassedChallenge:
        """Check the second factor of a pending login and spend its token. Each check first
        reserves one of the capped attempts atomically."""
        challenge = await mfa_challenges.find(session, settings, proof.mfa_token)
        if challenge is None:
            raise InvalidMfaToken()
        user_id = challenge.user_id
        factor = "recovery_code" if proof.recovery_code is not None else "totp"

        async def second_factor(attempts: int) -> None:
            if proof.recovery_code is not None:
                passed = await mfa_repository.use_recovery_code(
                    session,
                    user_id,
                    self._recovery_hash(settings, user_id, proof.recovery_code),
                    now,
                )
            else:
                row = await mfa_repository.totp_of(session, user_id)
                passed = (
                    row is not None
                    and row.confirmed_at is not None
                    and await self._accept_totp(session, settings, row, proof.code or "", now)
                )
            if passed:
                return
            error = InvalidRecoveryCode() if proof.recovery_code is not None else InvalidMfaCode()
            audit_service.record_failure(
                session,
                error,
                AuditEvent(
                    action="auth.mfa.failed",
                    resource_type="user",
                    resource_id=user_id,
                    details={"method": challenge.method, "factor": factor, "attempt": attempts},
                    actor_id=user_id,
                ),
                now,
            )
            raise error

        await mfa_challenges.check_and_spend(
            session,
            challenge,
            second_factor,
            Attempt(max_attempts=settings.mfa_max_attempts, now=now),
        )
        if proof.recovery_code is not None:
            audit_service.record(
                session,
                AuditEvent(
                    action="auth.mfa.recovery_code_used",
                    resource_type="user",
                    resource_id=user_id,
                    actor_id=user_id,
                ),
                now,
            )
        return PassedChallenge(user_id=user_id, method=challenge.method, factor=factor)


mfa_service = MfaService()
