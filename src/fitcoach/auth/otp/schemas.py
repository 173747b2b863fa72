from __future__ import annotations

import re

from pydantic import ConfigDict, Field, field_validator

from fitcoach.http.envelope import SIX_DIGITS, ApiModel, StrictApiModel
from fitcoach.users.schemas import NamedBodyMetricsIn

_OTP = re.compile(r"[0-9]{6}")
OTP_FORMAT_MESSAGE = "OTP must be exactly 6 digits"
PHONE_DESCRIPTION = "E.164 phone: + and 10-15 digits (spaces and dashes ignored)"


def check_otp_format(value: str) -> str:
    if not _OTP.fullmatch(value):
        raise ValueError(OTP_FORMAT_MESSAGE)
    return value


class PhoneIn(StrictApiModel):
    """Phone numbers are normalised by the service, which knows the default region."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"phone": "+14155550123"}]})

    phone: str = Field(description=PHONE_DESCRIPTION)


class PhoneOtpIn(PhoneIn):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"phone": "+14155550123", "otp": "123456"}]}
    )

    otp: str = Field(description="6 digits", json_schema_extra=SIX_DIGITS)

    @field_validator("otp")
    @classmethod
    def _otp(cls, value: str) -> str:
        return check_otp_format(value)


class OtpRegisterIn(NamedBodyMetricsIn, PhoneOtpIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "phone": "+14155550123",
                    "otp": "123456",
                    "name": "Alex Morgan",
                    "height": 178,
                    "weight": 74.5,
                    "age": 31,
                    "gender": "male",
                }
            ]
        }
    )


class OtpCheckOut(ApiModel):
    is_valid: bool
