"""Phone-and-SMS-code routes. `/otp/send` and `/otp/verify` (the seed's utility routes: send a
login code, check one without spending it) and `/auth/otp/*` (the auth-flow update's sign-in)
share one code per phone. Public by design; rate limited per client IP."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from fitcoach.auth.otp.dependencies import SmsDeliveryDep
from fitcoach.auth.otp.login import PhoneCode, otp_login_service
from fitcoach.auth.otp.schemas import OtpCheckOut, OtpRegisterIn, PhoneIn, PhoneOtpIn
from fitcoach.auth.rate_limits import CHECK_LIMIT, SEND_LIMIT
from fitcoach.auth.schemas import AuthOut, SignInOut, sign_in_out
from fitcoach.auth.sign_in import Login, NewProfile
from fitcoach.auth.tokens.dependencies import NO_STORE, ClientDep
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.location import located_at
from fitcoach.http.ratelimit import RateLimit
from fitcoach.users.schemas import BodyMetricsIn

router = APIRouter(prefix="/otp", tags=["otp"])
login_router = APIRouter(prefix="/auth/otp", tags=["auth"])


@router.post(
    "/send",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("otp.send", SEND_LIMIT))],
    responses=error_responses(400, 422, 429),
    summary="Send a login/registration OTP by SMS (public)",
)
async def send_otp(
    body: PhoneIn,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    delivery: SmsDeliveryDep,
) -> MessageEnvelope:
    await otp_login_service.send_login_code(session, settings, body.phone, delivery, clock.now())
    return said("OTP sent successfully")


@router.post(
    "/verify",
    response_model=DataEnvelope[OtpCheckOut],
    dependencies=[Depends(RateLimit("otp.verify", CHECK_LIMIT)), NO_STORE],
    responses=error_responses(400, 422, 429),
    summary="Check an OTP without spending it (public); a wrong code is isValid false and counts",
)
async def verify_otp(
    body: PhoneOtpIn, session: DbSession, settings: SettingsDep, clock: ClockDep
) -> DataEnvelope[OtpCheckOut]:
    is_valid = await otp_login_service.check_code(
        session, settings, PhoneCode(body.phone, body.otp), clock.now()
    )
    return ok(OtpCheckOut(is_valid=is_valid))


@login_router.post(
    "/send",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("auth.otp.send", SEND_LIMIT))],
    responses=error_responses(400, 422, 429),
    summary="Send a sign-in OTP by SMS (public)",
)
async def send_login_otp(
    body: PhoneIn,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    delivery: SmsDeliveryDep,
) -> MessageEnvelope:
    await otp_login_service.send_login_code(session, settings, body.phone, delivery, clock.now())
    return said("OTP sent successfully")


@login_router.post(
    "/login",
    response_model=SignInOut,
    dependencies=[Depends(RateLimit("auth.otp.login", CHECK_LIMIT)), NO_STORE],
    responses=error_responses(400, 403, 404, 422, 429),
    summary="Sign in with phone and OTP (public); 404 when the phone has no account yet",
)
async def login_with_otp(
    body: PhoneOtpIn, session: DbSession, settings: SettingsDep, clock: ClockDep, client: ClientDep
) -> SignInOut:
    result = await otp_login_service.login(
        session, settings, PhoneCode(body.phone, body.otp), Login(client, "otp", clock.now())
    )
    return sign_in_out(result)


@login_router.post(
    "/register",
    response_model=DataEnvelope[AuthOut],
    status_code=201,
    dependencies=[
        Depends(RateLimit("auth.otp.register", CHECK_LIMIT)),
        NO_STORE,
        located_at("get_me"),
    ],
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
    signed_in = await otp_login_service.register(
        session,
        settings,
        PhoneCode(body.phone, body.otp),
        NewProfile(name=body.name, metrics=metrics),
        Login(client, "otp", clock.now()),
    )
    return ok(AuthOut.of_sign_in(signed_in))
