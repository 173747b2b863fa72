from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, TypeAdapter, field_validator, model_validator

from fitcoach.auth.passwords import PASSWORD_POLICY_DESCRIPTION, check_password_policy
from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.subscriptions.schemas import SubscriptionStatusOut
from fitcoach.users.schemas import (
    NAME_DESCRIPTION,
    BodyMetricsIn,
    NamedBodyMetricsIn,
    UserOut,
    clean_name,
)

_OTP = re.compile(r"[0-9]{6}")
OTP_FORMAT_MESSAGE = "OTP must be exactly 6 digits"
PHONE_DESCRIPTION = "E.164 phone: + and 10-15 digits (spaces and dashes ignored)"


def check_otp_format(value: str) -> str:
    if not _OTP.fullmatch(value):
        raise ValueError(OTP_FORMAT_MESSAGE)
    return value


class PhoneIn(StrictApiModel):
    """Phone numbers are normalised by the service, which knows the default region."""

    phone: str = Field(description=PHONE_DESCRIPTION)


class PhoneOtpIn(PhoneIn):
    otp: str = Field(description="6 digits")

    @field_validator("otp")
    @classmethod
    def _otp(cls, value: str) -> str:
        return check_otp_format(value)


class OtpRegisterIn(NamedBodyMetricsIn, PhoneOtpIn):
    pass


class ResetPasswordIn(PhoneOtpIn):
    new_password: str = Field(description=PASSWORD_POLICY_DESCRIPTION)

    @field_validator("new_password")
    @classmethod
    def _policy(cls, value: str) -> str:
        return check_password_policy(value)


class PasswordLoginIn(StrictApiModel):
    provider: str = Field(min_length=1, max_length=254, description="Email or phone")
    password: str = Field(min_length=1, max_length=1024)


class PasswordRegisterIn(NamedBodyMetricsIn, StrictApiModel):
    provider: str = Field(min_length=1, max_length=254, description="Email or phone")
    password: str

    @field_validator("password")
    @classmethod
    def _policy(cls, value: str) -> str:
        return check_password_policy(value)


class RefreshTokenIn(StrictApiModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class ChangePasswordIn(StrictApiModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str

    @field_validator("new_password")
    @classmethod
    def _policy(cls, value: str) -> str:
        return check_password_policy(value)


class AccessTokenOut(ApiModel):
    token: str
    expires_at: datetime = Field(description="ISO-8601 UTC")


class AuthOut(ApiModel):
    user: UserOut
    access_token: AccessTokenOut
    refresh_token: str


class ProfileOut(ApiModel):
    """The body metrics plans are built from."""

    height: float | None
    weight: float | None
    age: int | None
    gender: str | None


class MeOut(ApiModel):
    user: UserOut
    is_subscribed: bool
    subscription_type: str | None
    subscription_warning: bool
    profile_update_required: bool
    subscription_status: SubscriptionStatusOut
    profile: ProfileOut | None
    mfa_enabled: bool


# api-design.md's forms of /auth/register and /auth/login -------------------------------------

SocialProvider = Literal["google", "apple", "facebook"]
EMAIL_DESCRIPTION = "Email address; validated and stored lower-case"


class RegisterMetadata(BodyMetricsIn):
    """api-design.md's free-form `metadata`: the keys below are read (name, 5-30 characters, and
    the body metrics); any other key is ignored."""

    name: str | None = Field(default=None, description=NAME_DESCRIPTION)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return clean_name(value) if value is not None else None


class EmailPasswordIn(StrictApiModel):
    provider: Literal["email"]
    email: str = Field(min_length=3, max_length=254, description=EMAIL_DESCRIPTION)


class EmailRegisterIn(EmailPasswordIn):
    password: str
    metadata: RegisterMetadata = Field(default_factory=RegisterMetadata)

    @field_validator("password")
    @classmethod
    def _policy(cls, value: str) -> str:
        return check_password_policy(value)


class EmailLoginIn(EmailPasswordIn):
    password: str = Field(min_length=1, max_length=1024)


class SocialLoginIn(StrictApiModel):
    provider: SocialProvider
    id_token: str = Field(min_length=1, max_length=8192, description="The provider's ID token")
    nonce: str | None = Field(
        default=None, min_length=1, max_length=512, description="The nonce the app sent"
    )


class SocialRegisterIn(SocialLoginIn):
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


class MfaRequiredOut(ApiModel):
    """A login of an MFA user: the first factor passed; POST /auth/mfa/verify finishes it."""

    mfa_required: Literal[True] = True
    mfa_token: str = Field(description="Works once, for 5 minutes")


class MfaVerifyIn(StrictApiModel):
    mfa_token: str = Field(min_length=1, max_length=512)
    code: str | None = Field(default=None, description="6 digits from the authenticator app")
    recovery_code: str | None = Field(default=None, min_length=1, max_length=64)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if value is not None and not _OTP.fullmatch(value):
            raise ValueError("MFA code must be exactly 6 digits")
        return value

    @model_validator(mode="after")
    def _one_factor(self) -> MfaVerifyIn:
        if (self.code is None) == (self.recovery_code is None):
            raise ValueError("Send either code or recoveryCode")
        return self


class EmailIn(StrictApiModel):
    email: str = Field(min_length=3, max_length=254, description=EMAIL_DESCRIPTION)


class EmailVerifyIn(EmailIn):
    code: str = Field(description="6 digits from the email")

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _OTP.fullmatch(value):
            raise ValueError("Verification code must be exactly 6 digits")
        return value
