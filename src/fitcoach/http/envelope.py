"""The response envelope of the auth-flow update, for every endpoint:
`{"status":"success","data":...}`, `{"status":"success","message":...}` and
`{"status":"error","message":...,"statusCode":...}`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import core_schema

T = TypeVar("T")


def utc_milliseconds(moment: datetime) -> str:
    # A naive value is UTC already (SQLite hands timestamps back without a zone).
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


def _serialize_moments(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "datetime" and "serialization" not in node:
            node["serialization"] = core_schema.plain_serializer_function_ser_schema(
                utc_milliseconds, when_used="json-unless-none"
            )
        for value in node.values():
            _serialize_moments(value)
    elif isinstance(node, list):
        for item in node:
            _serialize_moments(item)


class ApiModel(BaseModel):
    """Base of every request and response schema: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, from_attributes=True, extra="ignore"
    )

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[BaseModel], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Every moment on the wire as the spec writes it, UTC with milliseconds
        (`2026-12-07T10:00:00.000Z`): each datetime in every schema is given the serializer
        here, once when the class is built, so no schema has to remember it, other fields pay
        nothing and the OpenAPI document still says `format: date-time`."""
        schema = handler(source)
        _serialize_moments(schema)
        return schema


class StrictApiModel(ApiModel):
    """Request bodies: an unknown field is an error, so a client learns of a typo or of a field
    it may not set (roles, ids) instead of having it silently dropped."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        """PostgreSQL text cannot hold NUL: refuse it in every string of a body (422, on the
        field), on every database alike, rather than fail at the insert."""
        _refuse_nul_in(value)
        return value


def _refuse_nul_in(value: object) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Text must not contain NUL characters")
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul_in(key)
            _refuse_nul_in(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul_in(item)


class DataEnvelope(BaseModel, Generic[T]):
    status: Literal["success"] = "success"
    data: T


class MessageEnvelope(BaseModel):
    status: Literal["success"] = "success"
    message: str


class FieldError(BaseModel):
    field: str
    message: str


class ErrorEnvelope(BaseModel):
    status: Literal["error"] = "error"
    message: str
    statusCode: int
    errors: list[FieldError] | None = None


def ok(data: T) -> DataEnvelope[T]:
    # Not DataEnvelope[T](...): parametrising a generic model looks its class up on every call,
    # and the route's response model validates the envelope all the same.
    return DataEnvelope(data=data)


def said(message: str) -> MessageEnvelope:
    return MessageEnvelope(message=message)


def error_body(status_code: int, message: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"status": "error", "message": message, "statusCode": status_code}
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the error statuses a route may answer."""
    descriptions = {
        400: "Bad request",
        401: "Missing, invalid or expired access token",
        403: "Not allowed for this caller",
        404: "Not found",
        409: "Conflict with the current state",
        413: "Request body too large",
        422: "Validation failed",
        429: "Rate limit or attempt limit reached",
        502: "An outside provider failed",
        503: "A dependency is unavailable",
    }
    return {code: {"model": ErrorEnvelope, "description": descriptions[code]} for code in codes}
