"""The bodies of /auth/login, /auth/register (several forms each, told apart by `provider`),
/auth/me, and the answer every route that issues tokens gives."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field, Tag, TypeAdapter, field_validator

from fitcoach.auth.email_verification.schemas import EMAIL_DESCRIPTION
from fitcoach.auth.me import Me
from fitcoach.auth.mfa.schemas import MfaRequiredOut
from fitcoach.auth.password_hashing import (
    PASSWORD_POLICY_DESCRIPTION,
    PASSWORD_SCHEMA,
    check_password_policy,
)
from fitcoach.auth.sign_in import MfaRequired, SignedIn, SignIn
from fitcoach.http.envelope import ApiModel, DataEnvelope, StrictApiModel, ok
from fitcoach.subscriptions.schemas import SubscriptionStatusOut
from fitcoach.users.schemas import (
    NAME_DESCRIPTION,
    NAME_SCHEMA,
    BodyMetricsIn,
    NamedBodyMetricsIn,
    UserOut,
    clean_name,
)


class PasswordLoginIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"provider": "+14155550123", "password": "Example-Passw0rd!"}]
        }
    )

    provider: str = Field(min_length=1, max_length=254, description="Email or phone")
    password: str = Field(min_length=1, max_length=1024)


class PasswordRegisterIn(NamedBodyMetricsIn, StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"provider": "+14155550123", "password": "Example-Passw0rd!", "name": "Alex Morgan"}
            ]
        }
    )

    provider: str = Field(min_length=1, max_length=254, description="Email or phone")
    password: str = Field(
        description=PASSWORD_POLICY_DESCRIPTION, json_schema_extra=PASSWORD_SCHEMA
    )

    @field_validator("password")
    @classmethod
    def _policy(cls, value: str) -> str:
        return check_password_policy(value)


class RefreshTokenIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"refreshToken": "c2VjcmV0LXJlZnJlc2gtdG9rZW4tZXhhbXBsZQ"}]}
    )

    refresh_token: str = Field(min_length=1, max_length=512)


class AccessTokenOut(ApiModel):
    token: str
    expires_at: datetime = Field(description="ISO-8601 UTC")


class ProfileOut(ApiModel):
    """The body metrics plans are built from."""

    height: float | None
    weight: float | None
    age: int | None
    gender: str | None


class AccountOut(UserOut):
    """The user as every answer about the signed-in user shows them: /auth/me, and every sign-in
    and registration (so a new account's answer shows its free trial)."""

    subscription_status: SubscriptionStatusOut

    @classmethod
    def of(cls, me: Me) -> AccountOut:
        user = UserOut.model_validate(me.user)
        status = SubscriptionStatusOut.of(me.subscription, me.as_of)
        return cls(**dict(user), subscription_status=status)


class MeOut(ApiModel):
    user: AccountOut
    is_subscribed: bool
    subscription_type: str | None
    subscription_warning: bool
    profile_update_required: bool
    subscription_status: SubscriptionStatusOut
    profile: ProfileOut | None
    mfa_enabled: bool

    @classmethod
    def of(cls, me: Me) -> MeOut:
        user, status = me.user, me.subscription
        metrics = me.body_metrics
        profile = (
            None
            if all(value is None for value in metrics)
            else ProfileOut(
                height=user.height_cm, weight=user.weight_kg, age=user.age, gender=user.gender
            )
        )
        return cls(
            user=AccountOut.of(me),
            is_subscribed=status.is_subscribed,
            subscription_type=status.type.value if status.type else None,
            subscription_warning=status.ends_soon,
            # Plans are sized from all four body metrics; until each is known the app asks.
            profile_update_required=any(value is None for value in metrics),
            subscription_status=SubscriptionStatusOut.of(status, me.as_of),
            profile=profile,
            mfa_enabled=user.mfa_enabled,
        )


class AuthOut(ApiModel):
    user: AccountOut
    access_token: AccessTokenOut
    refresh_token: str

    @classmethod
    def of_sign_in(cls, signed_in: SignedIn) -> AuthOut:
        issued = signed_in.tokens
        return cls(
            user=AccountOut.of(signed_in.me),
            access_token=AccessTokenOut(
                token=issued.access_token, expires_at=issued.access_expires_at
            ),
            refresh_token=issued.refresh_token,
        )


# api-design.md's forms of /auth/register and /auth/login -------------------------------------

SocialProvider = Literal["google", "apple", "facebook"]


class RegisterMetadata(BodyMetricsIn):
    """api-design.md's free-form `metadata`: the keys below are read (name, 5-30 characters, and
    the body metrics); any other key is ignored."""

    name: str | None = Field(
        default=None, description=NAME_DESCRIPTION, json_schema_extra=NAME_SCHEMA
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return clean_name(value) if value is not None else None


class EmailPasswordIn(StrictApiModel):
    provider: Literal["email"]
    email: str = Field(min_length=3, max_length=254, description=EMAIL_DESCRIPTION)


class EmailRegisterIn(EmailPasswordIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "provider": "email",
                    "email": "alex@example.com",
                    "password": "Example-Passw0rd!",
                    "metadata": {"name": "Alex Morgan"},
                }
            ]
        }
    )

    password: str = Field(
        description=PASSWORD_POLICY_DESCRIPTION, json_schema_extra=PASSWORD_SCHEMA
    )
    metadata: RegisterMetadata = Field(default_factory=RegisterMetadata)

    @field_validator("password")
    @classmethod
    def _policy(cls, value: str) -> str:
        return check_password_policy(value)


class EmailLoginIn(EmailPasswordIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"provider": "email", "email": "alex@example.com", "password": "Example-Passw0rd!"}
            ]
        }
    )

    password: str = Field(min_length=1, max_length=1024)


class SocialLoginIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "provider": "google",
                    "idToken": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
                    "nonce": "n-0S6_WzA2Mj",
                }
            ]
        }
    )

    provider: SocialProvider
    id_token: str = Field(min_length=1, max_length=8192, description="The provider's ID token")
    nonce: str | None = Field(
        default=None, min_length=1, max_length=512, description="The nonce the app sent"
    )


class SocialRegisterIn(SocialLoginIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "provider": "google",
                    "idToken": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
                    "metadata": {"name": "Alex Morgan"},
                }
            ]
        }
    )

    metadata: RegisterMetadata = Field(default_factory=RegisterMetadata)


def _body_form(value: Any) -> str:
    provider = value.get("provider") if isinstance(value, dict) else None
    if provider == "email":
        return "email"
    if provider in ("google", "apple", "facebook"):
        return "social"
    return "legacy"


RegisterIn = Annotated[
    Annotated[EmailRegisterIn, Tag("email")]
    | Annotated[SocialRegisterIn, Tag("social")]
    | Annotated[PasswordRegisterIn, Tag("legacy")],
    Discriminator(_body_form),
]
LoginIn = Annotated[
    Annotated[EmailLoginIn, Tag("email")]
    | Annotated[SocialLoginIn, Tag("social")]
    | Annotated[PasswordLoginIn, Tag("legacy")],
    Discriminator(_body_form),
]
register_form: TypeAdapter[RegisterIn] = TypeAdapter(RegisterIn)
login_form: TypeAdapter[LoginIn] = TypeAdapter(LoginIn)


SignInOut = DataEnvelope[AuthOut] | DataEnvelope[MfaRequiredOut]


def sign_in_out(result: SignIn) -> SignInOut:
    if isinstance(result, MfaRequired):
        return ok(MfaRequiredOut(mfa_token=result.mfa_token))
    return ok(AuthOut.of_sign_in(result))
