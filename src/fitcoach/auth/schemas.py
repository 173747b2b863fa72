from __future__ import annotations

import re
from datetime import datetime

from pydantic import Field, field_validator

from fitcoach.auth.passwords import check_password_policy
from fitcoach.kit.envelope import ApiModel, StrictApiModel
from fitcoach.subscriptions.schemas import SubscriptionStatusOut
from fitcoach.users.schemas import NamedBodyMetricsIn, UserOut

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
    new_password: str = Field(description="8-256 characters with upper, lower, number, special")

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
