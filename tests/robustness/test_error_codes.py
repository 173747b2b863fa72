"""Every error code, as the README lists it: the table is generated from the errors themselves,
and this test keeps the README's copy equal to it."""

from __future__ import annotations

import re
from pathlib import Path

import fitcoach.app  # noqa: F401 - defines every domain's errors
from fitcoach.access.exceptions import AccountBlocked
from fitcoach.auth.otp.exceptions import OtpExpired, OtpResendTooSoon
from fitcoach.core.errors import DomainError, NotFound, TooManyRequests, snake_case
from fitcoach.http.openapi import domain_error_codes, error_code_table, error_codes

README = Path(__file__).parents[2] / "README.md"
TABLE = re.compile(r"<!-- error-codes:start -->\n(.*)\n<!-- error-codes:end -->", re.DOTALL)


def test_readme_lists_every_error_code() -> None:
    found = TABLE.search(README.read_text(encoding="utf-8"))
    assert found is not None, "README lacks the error-codes table"
    assert found.group(1) == error_code_table(), "regenerate with error_code_table()"


def test_codes_derive_from_class_names_unless_set() -> None:
    # No subclass is made here: it would join the app's codes for the rest of the session.
    assert snake_case("OtpExpired") == "otp_expired"
    assert snake_case("MFAToken") == "mfa_token"
    assert OtpExpired.code == "otp_expired"
    assert AccountBlocked.code == "account_blocked"
    assert NotFound.code == "not_found"
    # Set on the class: every plain rate limit says so, its subclasses name their own reason.
    assert TooManyRequests.code == "rate_limited"
    assert OtpResendTooSoon.code == "otp_resend_too_soon"


def test_every_code_is_snake_case_and_names_one_situation() -> None:
    codes = error_codes()
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", code) for code in codes)
    by_code: dict[str, set[int]] = {}
    for code, error in domain_error_codes().items():
        by_code.setdefault(code, set()).add(error.status_code)
    assert all(len(statuses) == 1 for statuses in by_code.values())
    assert DomainError.code == "bad_request"
