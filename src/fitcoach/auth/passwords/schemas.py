from __future__ import annotations

from pydantic import ConfigDict, Field, field_validator

from fitcoach.auth.otp.schemas import PhoneOtpIn
from fitcoach.auth.password_hashing import (
    PASSWORD_POLICY_DESCRIPTION,
    PASSWORD_SCHEMA,
    check_password_policy,
)
from fitcoach.http.envelope import StrictApiModel


class ResetPasswordIn(PhoneOtpIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"phone": "+14155550123", "otp": "123456", "newPassword": "Example-Passw0rd!"}
            ]
        }
    )

    new_password: str = Field(
        description=PASSWORD_POLICY_DESCRIPTION, json_schema_extra=PASSWORD_SCHEMA
    )

    @field_validator("new_password")
    @classmethod
    def _policy(cls, value: str) -> str:
        return check_password_policy(value)


class ChangePasswordIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"currentPassword": "Example-Passw0rd!", "newPassword": "Another-Passw0rd!"}
            ]
        }
    )

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(
        description=PASSWORD_POLICY_DESCRIPTION, json_schema_extra=PASSWORD_SCHEMA
    )

    @field_validator("new_password")
    @classmethod
    def _policy(cls, value: str) -> str:
        return check_password_policy(value)
