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
    """A short text shown as a name: surrounding blanks dropped, never empty (the schema states
    it as a pattern, fitcoach.http.envelope)."""
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


def _has_value(name: str) -> dict[str, Any]:
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


def exactly_one_of(*names: str) -> dict[str, Any]:
    """JSON Schema of a body that gives exactly one of the fields `names` (wire names) a value:
    the model validator's rule, stated where a client generator and a fuzzer read it."""
    return {"oneOf": [_has_value(name) for name in names]}


def at_least_one_of(*names: str) -> dict[str, Any]:
    """JSON Schema of a body that gives at least one of the fields `names` a value."""
    return {"anyOf": [_has_value(name) for name in names]}


# JSON Schema of a field that is given a value (absent and null are refused).
NOT_NULL: dict[str, Any] = {"not": {"type": "null"}}


def of_kind(
    kind: str, *, field: str = "kind", required: list[str] | None = None, **properties: Any
) -> dict[str, Any]:
    """The JSON Schema branch (of a `oneOf`) of a body whose `field` is `kind`: what its other
    fields must be, as the model validator checks them."""
    branch: dict[str, Any] = {"properties": {field: {"const": str(kind)}, **properties}}
    if required:
        branch["required"] = required
    return branch
