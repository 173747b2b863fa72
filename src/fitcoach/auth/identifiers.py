"""How the sign-in flows read what a client typed to name an account: an e-mail address, a phone
number, or a display name derived when none was given."""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

from fitcoach.config import Settings
from fitcoach.core.errors import Unprocessable
from fitcoach.core.phone import INVALID_PHONE_MESSAGE, InvalidPhoneNumber, normalize_phone


def derived_name(text: str, fallback: str) -> str:
    """A display name made from what a provider or an address gave, when the client sent none."""
    return " ".join(text.split())[:30] or fallback


def parse_email(raw: str) -> str:
    """The one spelling of an address under which an account is stored and found, so look-alike
    spellings reach one account. email-validator normalises the domain with IDNA (compatibility
    forms folded, lower case) but the local part only to NFC; we fold the local part's
    compatibility forms too (NFKC: full-width letters, ligatures) and its case, as no mail
    provider we accept sign-ins from tells them apart."""
    try:
        checked = validate_email(
            unicodedata.normalize("NFKC", raw.strip()), check_deliverability=False
        )
    except EmailNotValidError as exc:
        raise Unprocessable("Invalid email address") from exc
    return checked.normalized.lower()


def parse_phone(settings: Settings, raw: str) -> str:
    try:
        return normalize_phone(raw, settings.default_phone_region)
    except InvalidPhoneNumber as exc:
        raise Unprocessable(INVALID_PHONE_MESSAGE) from exc
