from __future__ import annotations

import re

from pydantic import ConfigDict, Field, field_validator

from fitcoach.http.envelope import SIX_DIGITS, StrictApiModel

EMAIL_DESCRIPTION = "Email address; validated and stored lower-case"
_CODE = re.compile(r"[0-9]{6}")


class EmailIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "alex@example.com"}]})

    email: str = Field(min_length=3, max_length=254, description=EMAIL_DESCRIPTION)


class EmailVerifyIn(EmailIn):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "alex@example.com", "code": "123456"}]}
    )

    code: str = Field(description="6 digits from the email", json_schema_extra=SIX_DIGITS)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _CODE.fullmatch(value):
            raise ValueError("Verification code must be exactly 6 digits")
        return value
