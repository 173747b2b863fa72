"""Field types and validators shared by the request schemas of several domains, written once so
that a label, a media link or a partial update is checked the same way everywhere."""

from __future__ import annotations

from typing import Any

from pydantic import (
    AfterValidator,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

_http_url = TypeAdapter(HttpUrl)


def label(max_length: int) -> StringConstraints:
    """A short text shown as a name: surrounding blanks dropped, never empty."""
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


def http_url(message: str) -> AfterValidator:
    """Validated as an http(s) URL but stored as sent, so clients get back exactly their link;
    a bad one is refused with `message`."""

    def check(value: str) -> str:
        try:
            _http_url.validate_python(value)
        except ValidationError as exc:
            raise ValueError(message) from exc
        return value

    return AfterValidator(check)


def distinct(values: list[Any]) -> list[Any]:
    """Repeated entries are dropped, keeping the first occurrence's position."""
    return list(dict.fromkeys(values))
