"""OTP utility endpoints, separate from sign-in: send a login code, check one without spending it.
Public by design; rate limited per client IP."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from fitcoach.auth.otp.dependencies import SmsDeliveryDep
from fitcoach.auth.otp.schemas import OtpCheckOut
from fitcoach.auth.schemas import PhoneIn, PhoneOtpIn
from fitcoach.auth.service import auth_service
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.ratelimit import RateLimit

router = APIRouter(prefix="/otp", tags=["otp"])
SEND_LIMIT = "5/15 minutes"
CHECK_LIMIT = "10/15 minutes"


@router.post(
    "/send",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("otp.send", SEND_LIMIT))],
    responses=error_responses(400, 422, 429, 502, 503),
    summary="Send a login/registration OTP by SMS (public)",
)
async def send_otp(
    body: PhoneIn,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    delivery: SmsDeliveryDep,
) -> MessageEnvelope:
    await auth_service.send_login_code(session, settings, body.phone, delivery, clock.now())
    return said("OTP sent successfully")


@router.post(
    "/verify",
    response_model=DataEnvelope[OtpCheckOut],
    dependencies=[Depends(RateLimit("otp.verify", CHECK_LIMIT))],
    responses=error_responses(400, 422, 429),
    summary="Check an OTP without spending it (public); a wrong code is isValid false and counts",
)
async def verify_otp(
    body: PhoneOtpIn, session: DbSession, settings: SettingsDep, clock: ClockDep
) -> DataEnvelope[OtpCheckOut]:
    is_valid = await auth_service.check_code(session, settings, body.phone, body.otp, clock.now())
    return ok(OtpCheckOut(is_valid=is_valid))
