"""The sign-in routes that several flows share: /auth/login and /auth/register take several body
forms, told apart by `provider`: "email" is api-design.md's email form, "google" / "apple" /
"facebook" the social form (an ID token), and anything else the legacy form whose provider is an
email address or a phone number. Also the MFA step of a login, /auth/me, refresh and logout.
Sign-in routes are public by design and rate limited per client IP; /auth/me needs a bearer
access token. Each flow's own routes are in its package (otp, passwords, email_verification)."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from fitcoach.access.dependencies import SignedInRead
from fitcoach.auth.email_verification.dependencies import EmailDeliveryDep
from fitcoach.auth.me import me_service
from fitcoach.auth.mfa.schemas import MfaVerifyIn
from fitcoach.auth.mfa.service import MfaProof
from fitcoach.auth.passwords.service import Credentials, password_service
from fitcoach.auth.rate_limits import CHECK_LIMIT
from fitcoach.auth.schemas import (
    AuthOut,
    EmailLoginIn,
    EmailRegisterIn,
    MeOut,
    PasswordRegisterIn,
    RefreshTokenIn,
    SignInOut,
    SocialLoginIn,
    SocialRegisterIn,
    login_form,
    register_form,
    sign_in_out,
)
from fitcoach.auth.sign_in import Login, NewProfile, SignIn, sign_in_service
from fitcoach.auth.social.dependencies import JwksCacheDep
from fitcoach.auth.social.service import SocialToken, social_sign_in_service
from fitcoach.auth.tokens.dependencies import NO_STORE, ClientDep
from fitcoach.auth.tokens.service import session_service
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.location import located_at
from fitcoach.http.ratelimit import RateLimit
from fitcoach.users.schemas import BodyMetricsIn

router = APIRouter(prefix="/auth", tags=["auth"])

# Ours, sized for a person, not a script (the code checks are the auth-flow update's).
PASSWORD_LIMIT = "10/15 minutes"
REGISTER_LIMIT = "10/hour"
TOKEN_LIMIT = "60/minute"

T = TypeVar("T")
_JSON_OBJECT = Body(description="See the route description for the accepted forms")


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
    "/login",
    response_model=SignInOut,
    dependencies=[Depends(RateLimit("auth.login", PASSWORD_LIMIT)), NO_STORE],
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
        token = SocialToken(form.provider, form.id_token, form.nonce, register=False)
        login = Login(client, form.provider, clock.now())
        result = await social_sign_in_service.sign_in(session, settings, cache, token, login)
    else:
        identifier = form.email if isinstance(form, EmailLoginIn) else form.provider
        result = await password_service.login(
            session,
            settings,
            Credentials(identifier, form.password),
            Login(client, "password", clock.now()),
        )
    return sign_in_out(result)


@router.post(
    "/mfa/verify",
    response_model=DataEnvelope[AuthOut],
    dependencies=[Depends(RateLimit("auth.mfa.verify", CHECK_LIMIT)), NO_STORE],
    responses=error_responses(400, 401, 403, 422, 429),
    summary="Finish a login that answered mfaRequired, with a TOTP code or a recovery code",
)
async def verify_mfa(
    body: MfaVerifyIn, session: DbSession, settings: SettingsDep, clock: ClockDep, client: ClientDep
) -> DataEnvelope[AuthOut]:
    proof = MfaProof(body.mfa_token, body.code, body.recovery_code)
    signed_in = await sign_in_service.complete_mfa_login(
        session, settings, proof, client, clock.now()
    )
    return ok(AuthOut.of_sign_in(signed_in))


@router.post(
    "/register",
    response_model=SignInOut,
    status_code=201,
    dependencies=[
        Depends(RateLimit("auth.register", REGISTER_LIMIT)),
        NO_STORE,
        located_at("get_me"),
    ],
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
        signed_in = await password_service.register_with_email(
            session,
            settings,
            Credentials(form.email, form.password),
            NewProfile(name=form.metadata.name, metrics=form.metadata),
            Login(client, "email", clock.now()),
            delivery,
        )
        return sign_in_out(signed_in)
    if isinstance(form, SocialRegisterIn):
        token = SocialToken(
            form.provider,
            form.id_token,
            form.nonce,
            register=True,
            profile=NewProfile(name=form.metadata.name, metrics=form.metadata),
        )
        login = Login(client, form.provider, clock.now())
        return sign_in_out(
            await social_sign_in_service.sign_in(session, settings, cache, token, login)
        )
    legacy: PasswordRegisterIn = form
    metrics = BodyMetricsIn(
        height=legacy.height, weight=legacy.weight, age=legacy.age, gender=legacy.gender
    )
    signed_in = await password_service.register(
        session,
        settings,
        Credentials(legacy.provider, legacy.password),
        NewProfile(name=legacy.name, metrics=metrics),
        Login(client, "password", clock.now()),
        delivery,
    )
    return sign_in_out(signed_in)


@router.get(
    "/me",
    response_model=DataEnvelope[MeOut],
    responses=error_responses(401, 403),
    summary="The signed-in user with subscription state and profile (any signed-in user)",
)
async def get_me(caller: SignedInRead) -> DataEnvelope[MeOut]:
    return ok(MeOut.of(await me_service.describe(caller.session, caller.user, caller.now)))


@router.post(
    "/refresh-token",
    response_model=DataEnvelope[AuthOut],
    dependencies=[Depends(RateLimit("auth.refresh", TOKEN_LIMIT)), NO_STORE],
    responses=error_responses(400, 401, 403, 422, 429),
    summary="Exchange a refresh token for new tokens (public); each refresh token works once",
)
async def refresh_token(
    body: RefreshTokenIn, session: DbSession, settings: SettingsDep, clock: ClockDep
) -> DataEnvelope[AuthOut]:
    signed_in = await sign_in_service.refreshed(session, settings, body.refresh_token, clock.now())
    return ok(AuthOut.of_sign_in(signed_in))


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
    await session_service.logout(session, settings, body.refresh_token, clock.now())
    return said("Logged out successfully")
