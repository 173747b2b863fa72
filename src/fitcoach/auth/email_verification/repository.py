"""E-mail verification codes: the one-time-code rules over their table, a code being owned by
an address (the SMS code table is keyed by phone, hence a table of its own)."""

from __future__ import annotations

from fitcoach.auth.email_verification.exceptions import (
    EmailCodeAttemptsExceeded,
    EmailCodeExpired,
    InvalidEmailCode,
)
from fitcoach.auth.onetime_codes import OnetimeCodes, Refusals
from fitcoach.models import EmailVerificationCode

email_codes = OnetimeCodes(
    EmailVerificationCode,
    key_purpose="email-verification",
    refusals=Refusals(
        unknown=InvalidEmailCode, expired=EmailCodeExpired, exhausted=EmailCodeAttemptsExceeded
    ),
)
