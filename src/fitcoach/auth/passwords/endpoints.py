"""Password reset by SMS code (public, rate limited per client IP) and password change (the
signed-in user). Signing in and registering with a password are forms of /auth/login and
/auth/register, in the auth router."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from fitcoach.access.dependencies import AccessClaimsDep, CurrentAccount, user_rate_limit
from fitcoach.auth.otp.dependencies import SmsDeliveryDep
from fitcoach.auth.otp.schemas import PhoneIn
from fitcoach.auth.passwords.schemas import ChangePasswordIn, ResetPasswordIn
from fitcoach.auth.passwords.service import PasswordChange, PasswordReset, password_service
from fitcoach.auth.rate_limits import CHECK_LIMIT, SEND_LIMIT
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import MessageEnvelope, error_responses, said
from fitcoach.http.ratelimit import RateLimit

router = APIRouter(prefix="/auth", tags=["auth"])
# Ours, sized for a person, not a script (the code routes' limits are the auth-flow update's).
PASSWORD_LIMIT = "10/15 minutes"


@router.post(
    "/forgot-password",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("auth.forgot_password", SEND_LIMIT))],
    responses=error_responses(400, 422, 429),
    summary="Send a password-reset OTP (public); same answer for unknown phones",
)
async def forgot_password(
    body: PhoneIn,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    delivery: SmsDeliveryDep,
) -> MessageEnvelope:
    await password_service.send_reset_code(session, settings, body.phone, delivery, clock.now())
    return said("OTP sent to your phone")


@router.post(
    "/reset-password",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("auth.reset_password", CHECK_LIMIT))],
    responses=error_responses(400, 422, 429),
    summary="Set a new password with a password-reset OTP (public); ends every session",
)
async def reset_password(
    body: ResetPasswordIn, session: DbSession, settings: SettingsDep, clock: ClockDep
) -> MessageEnvelope:
    reset = PasswordReset(phone=body.phone, code=body.otp, new_password=body.new_password)
    await password_service.reset(session, settings, reset, clock.now())
    return said("Password reset successfully")


@router.patch(
    "/password",
    response_model=MessageEnvelope,
    dependencies=[user_rate_limit("auth.password", PASSWORD_LIMIT)],
    responses=error_responses(400, 401, 403, 422, 429),
    summary="Change the password (signed-in user); ends every other session",
)
async def change_password(
    body: ChangePasswordIn,
    user: CurrentAccount,
    claims: AccessClaimsDep,
    session: DbSession,
    clock: ClockDep,
) -> MessageEnvelope:
    change = PasswordChange(
        session_id=claims.session_id,
        current_password=body.current_password,
        new_password=body.new_password,
    )
    await password_service.change(session, user, change, clock.now())
    return said("Password changed successfully")
