"""Phone numbers: one normal form (E.164) for everything stored or compared."""

from __future__ import annotations

import re

import phonenumbers

INVALID_PHONE_MESSAGE = "Invalid phone number format"

_SEPARATORS = re.compile(r"[\s\-().]")
# [0-9], not \d: \d also matches other scripts' digits, which phonenumbers would then reinterpret.
_INTERNATIONAL = re.compile(r"\+[0-9]{10,15}")
_NATIONAL = re.compile(r"[0-9]{6,15}")
MAX_RAW_LENGTH = 32


class InvalidPhoneNumber(ValueError):
    def __init__(self) -> None:
        super().__init__(INVALID_PHONE_MESSAGE)


def normalize_phone(raw: str, default_region: str | None = None) -> str:
    """Return `raw` in E.164, or raise InvalidPhoneNumber.

    Accepted: `+` and 10 to 15 digits (spaces, dashes, dots and parentheses are ignored), or a
    number in national form when a default region is configured.
    """
    if len(raw) > MAX_RAW_LENGTH:
        raise InvalidPhoneNumber()
    compact = _SEPARATORS.sub("", raw)
    try:
        if _INTERNATIONAL.fullmatch(compact):
            parsed = phonenumbers.parse(compact, None)
            acceptable = phonenumbers.is_possible_number(parsed)
        elif default_region and _NATIONAL.fullmatch(compact):
            parsed = phonenumbers.parse(compact, default_region)
            acceptable = phonenumbers.is_valid_number(parsed)
        else:
            raise InvalidPhoneNumber()
        e164 = _e164(parsed)
        # The normal form must normalise to itself, or an account stored under it could not be
        # found by it again: for some plans phonenumbers drops a leading zero on every parse.
        stable = _e164(phonenumbers.parse(e164, None)) == e164
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber() from exc
    if not acceptable or not stable or not _INTERNATIONAL.fullmatch(e164):
        raise InvalidPhoneNumber()
    return e164


def _e164(parsed: phonenumbers.PhoneNumber) -> str:
    formatted: str = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return formatted


def parse_test_otps(spec: str) -> dict[str, str]:
    """Parse FITCOACH_TEST_OTPS, `+201000000001=123456,+201000000002=654321`."""
    codes: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        phone, separator, code = entry.partition("=")
        if not separator or not re.fullmatch(r"[0-9]{6}", code.strip()):
            raise ValueError(f"FITCOACH_TEST_OTPS entry {entry!r} is not PHONE=6DIGITS")
        codes[normalize_phone(phone.strip())] = code.strip()
    return codes
