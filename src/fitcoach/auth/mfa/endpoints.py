"""Managing the TOTP second factor of the signed-in user. Completing a login that needs the
second factor is POST /auth/mfa/verify, in the auth router (it issues the tokens)."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import CurrentAccount, user_rate_limit
from fitcoach.auth.mfa.schemas import MfaCodeIn, MfaDisableIn, RecoveryCodesOut, TotpSetupOut
from fitcoach.auth.mfa.service import mfa_service
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said

router = APIRouter(prefix="/auth/mfa", tags=["mfa"])
MANAGE_LIMIT = "10/15 minutes"


@router.post(
    "/totp/setup",
    response_model=DataEnvelope[TotpSetupOut],
    dependencies=[user_rate_limit("mfa.manage", MANAGE_LIMIT)],
    responses=error_responses(401, 403, 409, 429),
    summary="Start TOTP setup: a new secret and otpauth:// URI (signed-in user)",
)
async def setup_totp(
    user: CurrentAccount, session: DbSession, settings: SettingsDep, clock: ClockDep
) -> DataEnvelope[TotpSetupOut]:
    setup = await mfa_service.begin_setup(session, settings, user, clock.now())
    return ok(TotpSetupOut(secret=setup.secret, otpauth_uri=setup.otpauth_uri))


@router.post(
    "/totp/confirm",
    response_model=DataEnvelope[RecoveryCodesOut],
    dependencies=[user_rate_limit("mfa.manage", MANAGE_LIMIT)],
    responses=error_responses(400, 401, 403, 409, 422, 429),
    summary="Turn MFA on with a code from the app; answers 10 one-time recovery codes, once",
)
async def confirm_totp(
    body: MfaCodeIn,
    user: CurrentAccount,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> DataEnvelope[RecoveryCodesOut]:
    codes = await mfa_service.confirm_setup(session, settings, user, body.code, clock.now())
    return ok(RecoveryCodesOut(recovery_codes=codes))


@router.delete(
    "/totp",
    response_model=MessageEnvelope,
    dependencies=[user_rate_limit("mfa.manage", MANAGE_LIMIT)],
    responses=error_responses(400, 401, 403, 409, 422, 429),
    summary="Turn MFA off with a current code or the password (signed-in user)",
)
async def disable_totp(
    body: MfaDisableIn,
    user: CurrentAccount,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> MessageEnvelope:
    await mfa_service.disable(
        session, settings, user, code=body.code, password=body.password, now=clock.now()
    )
    return said("MFA disabled successfully")
