"""Authentication endpoints of the auth-flow update and of api-design.md. Sign-in routes are
public by design and rate limited per client IP; the rest need a bearer access token.

/auth/register and /auth/login take several body forms, told apart by `provider`: "email" is
api-design.md's email form, "google" / "apple" / "facebook" the social form (an ID token), and
anything else the legacy form whose provider is an email address or a phone number."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Header
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from fitcoach.access.dependencies import AccessClaimsDep, CurrentAccount, CurrentUser
from fitcoach.auth.dependencies import EmailDeliveryDep, JwksCacheDep
from fitcoach.auth.otp.dependencies import SmsDeliveryDep
from fitcoach.auth.schemas import (
    AccessTokenOut,
    AuthOut,
    ChangePasswordIn,
    EmailIn,
    EmailLoginIn,
    EmailRegisterIn,
    EmailVerifyIn,
    MeOut,
    MfaRequiredOut,
    MfaVerifyIn,
    OtpRegisterIn,
    PasswordRegisterIn,
    PhoneIn,
    PhoneOtpIn,
    RefreshTokenIn,
    ResetPasswordIn,
    SocialLoginIn,
    SocialRegisterIn,
    login_form,
    register_form,
)
from fitcoach.auth.service import ClientInfo, IssuedTokens, MfaRequired, SignIn, auth_service
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClientIp, ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.ratelimit import RateLimit
from fitcoach.users.schemas import BodyMetricsIn, UserOut

router = APIRouter(prefix="/auth", tags=["auth"])

# The auth-flow update's table; the rest are ours, sized for a person, not a script.
SEND_LIMIT = "5/15 minutes"
CHECK_LIMIT = "10/15 minutes"
PASSWORD_LIMIT = "10/15 minutes"
REGISTER_LIMIT = "10/hour"
TOKEN_LIMIT = "60/minute"
EMAIL_SEND_LIMIT = "5/15 minutes"

T = TypeVar("T")
SignInOut = DataEnvelope[AuthOut] | DataEnvelope[MfaRequiredOut]
_JSON_OBJECT = Body(description="See the route description for the accepted forms")


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


def _sign_in_out(result: SignIn) -> SignInOut:
    if isinstance(result, MfaRequired):
        return ok(MfaRequiredOut(mfa_token=result.mfa_token))
    return _auth_out(result)


def _inlined(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inlined(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
        return {key: _inlined(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inlined(item, definitions) for item in node]
    return node


def _documented_body(adapter: TypeAdapter[Any]) -> dict[str, Any]:
    """openapi_extra describing a body parsed by `_parse_form`: every form, inlined."""
    schema = adapter.json_schema(by_alias=True)
    definitions = schema.pop("$defs", {})
    inlined = _inlined(schema, definitions)
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": inlined}}}}


def _parse_form(adapter: TypeAdapter[T], body: dict[str, Any]) -> T:
    """Validate one of several body forms; errors name fields as a plain model's would."""
    try:
        return adapter.validate_python(body)
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"][1:])} for error in exc.errors()]
        raise RequestValidationError(errors) from exc


@router.post(
    "/otp/send",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("auth.otp.send", SEND_LIMIT))],
    responses=error_responses(400, 422, 429, 502, 503),
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
    response_model=SignInOut,
    dependencies=[Depends(RateLimit("auth.otp.login", CHECK_LIMIT))],
    responses=error_responses(400, 403, 404, 422, 429),
    summary="Sign in with phone and OTP (public); 404 when the phone has no account yet",
)
async def login_with_otp(
    body: PhoneOtpIn, session: DbSession, settings: SettingsDep, clock: ClockDep, client: ClientDep
) -> SignInOut:
    result = await auth_service.login_with_otp(
        session, settings, body.phone, body.otp, client, clock.now()
    )
    return _sign_in_out(result)


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
    responses=error_responses(400, 422, 429, 502, 503),
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
    response_model=SignInOut,
    dependencies=[Depends(RateLimit("auth.login", PASSWORD_LIMIT))],
    responses=error_responses(400, 401, 403, 404, 409, 422, 429, 503),
    summary="Sign in with a password or a Google / Apple / Facebook ID token (public)",
    openapi_extra=_documented_body(login_form),
    description=(
        'Forms: `{provider: email-or-phone, password}` (legacy); `{provider: "email", email, '
        'password}`; `{provider: "google"|"apple"|"facebook", idToken, nonce?}`. '
        "With MFA on, answers `{mfaRequired: true, mfaToken}`: finish at /auth/mfa/verify."
    ),
)
async def login(
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    client: ClientDep,
    cache: JwksCacheDep,
    body: Annotated[dict[str, Any], _JSON_OBJECT],
) -> SignInOut:
    form = _parse_form(login_form, body)
    result: SignIn
    if isinstance(form, SocialLoginIn):
        result = await auth_service.sign_in_with_social(
            session,
            settings,
            cache,
            form.provider,
            form.id_token,
            form.nonce,
            client,
            clock.now(),
            register=False,
        )
    else:
        provider = form.email if isinstance(form, EmailLoginIn) else form.provider
        result = await auth_service.login_with_password(
            session, settings, provider, form.password, client, clock.now()
        )
    return _sign_in_out(result)


@router.post(
    "/mfa/verify",
    response_model=DataEnvelope[AuthOut],
    dependencies=[Depends(RateLimit("auth.mfa.verify", CHECK_LIMIT))],
    responses=error_responses(400, 401, 403, 422, 429),
    summary="Finish a login that answered mfaRequired, with a TOTP code or a recovery code",
)
async def verify_mfa(
    body: MfaVerifyIn, session: DbSession, settings: SettingsDep, clock: ClockDep, client: ClientDep
) -> DataEnvelope[AuthOut]:
    issued = await auth_service.complete_mfa_login(
        session, settings, body.mfa_token, body.code, body.recovery_code, client, clock.now()
    )
    return _auth_out(issued)


@router.post(
    "/email/verify",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("auth.email.verify", CHECK_LIMIT))],
    responses=error_responses(400, 422, 429),
    summary="Verify an account's email with the code mailed to it (public: the code is proof)",
)
async def verify_email(
    body: EmailVerifyIn, session: DbSession, settings: SettingsDep, clock: ClockDep
) -> MessageEnvelope:
    await auth_service.verify_email(session, settings, body.email, body.code, clock.now())
    return said("Email verified successfully")


@router.post(
    "/email/send-code",
    response_model=MessageEnvelope,
    dependencies=[Depends(RateLimit("auth.email.send", EMAIL_SEND_LIMIT))],
    responses=error_responses(400, 422, 429, 502),
    summary="Mail a new verification code (public); same answer for unknown or verified emails",
)
async def send_email_code(
    body: EmailIn,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    delivery: EmailDeliveryDep,
) -> MessageEnvelope:
    await auth_service.send_email_code(session, settings, body.email, delivery, clock.now())
    return said("If this email awaits verification, a code has been sent")


@router.post(
    "/register",
    response_model=SignInOut,
    status_code=201,
    dependencies=[Depends(RateLimit("auth.register", REGISTER_LIMIT))],
    responses=error_responses(400, 401, 409, 422, 429, 503),
    summary="Create a customer account (public; 10 per hour per client IP); starts the free trial",
    openapi_extra=_documented_body(register_form),
    description=(
        "Forms: `{provider: email-or-phone, password, name, height?, weight?, age?, gender?}` "
        '(legacy); `{provider: "email", email, password, metadata: {name?, height?, ...}}` '
        '(mails a verification code); `{provider: "google"|"apple"|"facebook", '
        "idToken, nonce?, metadata}`."
    ),
)
async def register(
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    client: ClientDep,
    delivery: EmailDeliveryDep,
    cache: JwksCacheDep,
    body: Annotated[dict[str, Any], _JSON_OBJECT],
) -> SignInOut:
    form = _parse_form(register_form, body)
    if isinstance(form, EmailRegisterIn):
        return _auth_out(
            await auth_service.register_with_email(
                session,
                settings,
                form.email,
                form.password,
                form.metadata,
                client,
                delivery,
                clock.now(),
            )
        )
    if isinstance(form, SocialRegisterIn):
        result = await auth_service.sign_in_with_social(
            session,
            settings,
            cache,
            form.provider,
            form.id_token,
            form.nonce,
            client,
            clock.now(),
            register=True,
            metadata=form.metadata,
        )
        return _sign_in_out(result)
    legacy: PasswordRegisterIn = form
    metrics = BodyMetricsIn(
        height=legacy.height, weight=legacy.weight, age=legacy.age, gender=legacy.gender
    )
    issued = await auth_service.register_with_password(
        session,
        settings,
        legacy.provider,
        legacy.password,
        legacy.name,
        metrics,
        client,
        delivery,
        clock.now(),
    )
    return _auth_out(issued)


@router.get(
    "/me",
    response_model=DataEnvelope[MeOut],
    responses=error_responses(401, 403),
    summary="The signed-in user with subscription state and profile (any signed-in user)",
)
async def me(user: CurrentUser, session: ReadSession, clock: ClockDep) -> DataEnvelope[MeOut]:
    return ok(await auth_service.describe(session, user, clock.now()))


@router.post(
    "/refresh-token",
    response_model=DataEnvelope[AuthOut],
    dependencies=[Depends(RateLimit("auth.refresh", TOKEN_LIMIT))],
    responses=error_responses(400, 401, 403, 422, 429),
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
    responses=error_responses(400, 401, 422, 429),
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
    await auth_service.change_password(
        session, user, claims.session_id, body.current_password, body.new_password, clock.now()
    )
    return said("Password changed successfully")
