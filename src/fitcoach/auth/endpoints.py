"""Authentication endpoints of the auth-flow update. Sign-in routes are public by design and
rate limited per client IP; the rest need a bearer access token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header

from fitcoach.auth.dependencies import AccessClaimsDep, CurrentUser
from fitcoach.auth.schemas import (
    AccessTokenOut,
    AuthOut,
    ChangePasswordIn,
    MeOut,
    OtpRegisterIn,
    PasswordLoginIn,
    PasswordRegisterIn,
    PhoneIn,
    PhoneOtpIn,
    RefreshTokenIn,
    ResetPasswordIn,
)
from fitcoach.auth.service import ClientInfo, IssuedTokens, auth_service
from fitcoach.db.session import DbSession
from fitcoach.kit.dependencies import ClientIp, ClockDep, SettingsDep
from fitcoach.kit.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.kit.ratelimit import RateLimit
from fitcoach.otp.dependencies import SmsDeliveryDep
from fitcoach.users.schemas import BodyMetricsIn, UserOut

router = APIRouter(prefix="/auth", tags=["auth"])

# The auth-flow update's table; the rest are ours, sized for a person, not a script.
SEND_LIMIT = "5/15 minutes"
CHECK_LIMIT = "10/15 minutes"
PASSWORD_LIMIT = "10/15 minutes"
REGISTER_LIMIT = "10/hour"
TOKEN_LIMIT = "60/minute"


def _client(ip: ClientIp, user_agent: Annotated[str | None, Header()] = None) -> ClientInfo:
    return ClientInfo(ip=ip, user_agent=user_agent)


ClientDep = Annotated[ClientInfo, Depends(_client)]


def _auth_out(issued: IssuedTokens) -> DataEnvelope[AuthOut]:
    return ok(
        AuthOut(
            user=UserOut.model_validate(issued.user),
            access_token=AccessTokenOut(
                token=issued.access_token, expires_at=issued.access_expires_at
            ),
            refresh_token=issued.refresh_token,
        )
    )


@router.post(
    "/otp/send",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("auth.otp.send", SEND_LIMIT))],
    responses=error_responses(422, 429, 502, 503),
    summary="Send a sign-in OTP by SMS (public)",
)
async def send_login_otp(
    body: PhoneIn,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    delivery: SmsDeliveryDep,
) -> MessageEnvelope:
    await auth_service.send_login_code(session, settings, body.phone, delivery, clock.now())
    return said("OTP sent successfully")


@router.post(
    "/otp/login",
    response_model=DataEnvelope[AuthOut],
    dependencies=[Depends(RateLimit("auth.otp.login", CHECK_LIMIT))],
    responses=error_responses(400, 403, 404, 422, 429),
    summary="Sign in with phone and OTP (public); 404 when the phone has no account yet",
)
async def login_with_otp(
    body: PhoneOtpIn, session: DbSession, settings: SettingsDep, clock: ClockDep, client: ClientDep
) -> DataEnvelope[AuthOut]:
    issued = await auth_service.login_with_otp(
        session, settings, body.phone, body.otp, client, clock.now()
    )
    return _auth_out(issued)


@router.post(
    "/otp/register",
    response_model=DataEnvelope[AuthOut],
    status_code=201,
    dependencies=[Depends(RateLimit("auth.otp.register", CHECK_LIMIT))],
    responses=error_responses(400, 409, 422, 429),
    summary="Create a customer account with phone and OTP (public); starts the free trial",
)
async def register_with_otp(
    body: OtpRegisterIn,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    client: ClientDep,
) -> DataEnvelope[AuthOut]:
    metrics = BodyMetricsIn(
        height=body.height, weight=body.weight, age=body.age, gender=body.gender
    )
    issued = await auth_service.register_with_otp(
        session, settings, body.phone, body.otp, body.name, metrics, client, clock.now()
    )
    return _auth_out(issued)


@router.post(
    "/forgot-password",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("auth.forgot_password", SEND_LIMIT))],
    responses=error_responses(422, 429, 502, 503),
    summary="Send a password-reset OTP (public); same answer for unknown phones",
)
async def forgot_password(
    body: PhoneIn,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    delivery: SmsDeliveryDep,
) -> MessageEnvelope:
    await auth_service.send_reset_code(session, settings, body.phone, delivery, clock.now())
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
    await auth_service.reset_password(
        session, settings, body.phone, body.otp, body.new_password, clock.now()
    )
    return said("Password reset successfully")


@router.post(
    "/login",
    response_model=DataEnvelope[AuthOut],
    dependencies=[Depends(RateLimit("auth.login", PASSWORD_LIMIT))],
    responses=error_responses(401, 403, 422, 429),
    summary="Sign in with email or phone and password (public, legacy)",
)
async def login_with_password(
    body: PasswordLoginIn,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    client: ClientDep,
) -> DataEnvelope[AuthOut]:
    issued = await auth_service.login_with_password(
        session, settings, body.provider, body.password, client, clock.now()
    )
    return _auth_out(issued)


@router.post(
    "/register",
    response_model=DataEnvelope[AuthOut],
    status_code=201,
    dependencies=[Depends(RateLimit("auth.register", REGISTER_LIMIT))],
    responses=error_responses(409, 422, 429),
    summary="Create a customer account with email or phone and password (public, legacy)",
)
async def register_with_password(
    body: PasswordRegisterIn,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    client: ClientDep,
) -> DataEnvelope[AuthOut]:
    metrics = BodyMetricsIn(
        height=body.height, weight=body.weight, age=body.age, gender=body.gender
    )
    issued = await auth_service.register_with_password(
        session, settings, body.provider, body.password, body.name, metrics, client, clock.now()
    )
    return _auth_out(issued)


@router.get(
    "/me",
    response_model=DataEnvelope[MeOut],
    responses=error_responses(401, 403),
    summary="The signed-in user with subscription state and profile (any signed-in user)",
)
async def me(user: CurrentUser, session: DbSession, clock: ClockDep) -> DataEnvelope[MeOut]:
    return ok(await auth_service.describe(session, user, clock.now()))


@router.post(
    "/refresh-token",
    response_model=DataEnvelope[AuthOut],
    dependencies=[Depends(RateLimit("auth.refresh", TOKEN_LIMIT))],
    responses=error_responses(401, 403, 422, 429),
    summary="Exchange a refresh token for new tokens (public); each refresh token works once",
)
async def refresh_token(
    body: RefreshTokenIn, session: DbSession, settings: SettingsDep, clock: ClockDep
) -> DataEnvelope[AuthOut]:
    return _auth_out(await auth_service.refresh(session, settings, body.refresh_token, clock.now()))


@router.post(
    "/logout",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("auth.logout", TOKEN_LIMIT))],
    responses=error_responses(401, 422, 429),
    summary="End the session the refresh token belongs to (public: the refresh token is the proof)",
)
async def logout(
    body: RefreshTokenIn, session: DbSession, settings: SettingsDep, clock: ClockDep
) -> MessageEnvelope:
    await auth_service.logout(session, settings, body.refresh_token, clock.now())
    return said("Logged out successfully")


@router.patch(
    "/password",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("auth.password", PASSWORD_LIMIT))],
    responses=error_responses(401, 403, 422, 429),
    summary="Change the password (signed-in user); ends every other session",
)
async def change_password(
    body: ChangePasswordIn,
    user: CurrentUser,
    claims: AccessClaimsDep,
    session: DbSession,
    clock: ClockDep,
) -> MessageEnvelope:
    await auth_service.change_password(
        session, user, claims.session_id, body.current_password, body.new_password, clock.now()
    )
    return said("Password changed successfully")
