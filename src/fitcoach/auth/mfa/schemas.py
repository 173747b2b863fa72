from __future__ import annotations

import re
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from fitcoach.http.envelope import SIX_DIGITS, ApiModel, StrictApiModel
from fitcoach.http.fields import exactly_one_of

_CODE = re.compile(r"[0-9]{6}")
MFA_CODE_FORMAT_MESSAGE = "MFA code must be exactly 6 digits"


def check_mfa_code_format(value: str | None) -> str | None:
    if value is not None and not _CODE.fullmatch(value):
        raise ValueError(MFA_CODE_FORMAT_MESSAGE)
    return value


class TotpSetupOut(ApiModel):
    secret: str = Field(description="Base32 secret, for authenticator apps without a camera")
    otpauth_uri: str = Field(description="otpauth:// URI, usually shown as a QR code")


class MfaCodeIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "123456"}]})

    code: str = Field(
        description="6 digits from the authenticator app", json_schema_extra=SIX_DIGITS
    )

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        check_mfa_code_format(value)
        return value


class RecoveryCodesOut(ApiModel):
    recovery_codes: list[str] = Field(description="Each works once; shown only this time")


class MfaDisableIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "123456"}], **exactly_one_of("code", "password")}
    )

    code: str | None = Field(
        default=None, description="A current code from the app", json_schema_extra=SIX_DIGITS
    )
    password: str | None = Field(default=None, min_length=1, max_length=1024)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return check_mfa_code_format(value)

    @model_validator(mode="after")
    def _one_proof(self) -> MfaDisableIn:
        if (self.code is None) == (self.password is None):
            raise ValueError("Send either code or password")
        return self


class MfaRequiredOut(ApiModel):
    """A login of an MFA user: the first factor passed; POST /auth/mfa/verify finishes it."""

    mfa_required: Literal[True] = True
    mfa_token: str = Field(description="Works once, for 5 minutes")


class MfaVerifyIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"mfaToken": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "code": "123456"}
            ],
            **exactly_one_of("code", "recoveryCode"),
        }
    )

    mfa_token: str = Field(min_length=1, max_length=512)
    code: str | None = Field(
        default=None,
        description="6 digits from the authenticator app",
        json_schema_extra=SIX_DIGITS,
    )
    recovery_code: str | None = Field(default=None, min_length=1, max_length=64)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return check_mfa_code_format(value)

    @model_validator(mode="after")
    def _one_factor(self) -> MfaVerifyIn:
        if (self.code is None) == (self.recovery_code is None):
            raise ValueError("Send either code or recoveryCode")
        return self
