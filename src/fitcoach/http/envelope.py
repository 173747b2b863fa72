"""The response envelope of the auth-flow update, for every endpoint:
`{"status":"success","data":...}`, `{"status":"success","message":...}` and
`{"status":"error","message":...,"statusCode":...}`."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel
from typing_extensions import TypeForm

T = TypeVar("T")


class ApiModel(BaseModel):
    """Base of every request and response schema: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, from_attributes=True, extra="ignore"
    )


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


def schema_name(parameter: Any) -> str:
    """The name a parametrised generic schema takes from its parameter: `list[PlanOut]` ->
    `PlanOutList`. Client generators turn schema names into class names, and Pydantic's default
    (`DataEnvelope[Page[PlanOut]]`) becomes `DataEnvelope_Page_PlanOut__` in the document."""
    if get_origin(parameter) is list:
        return f"{schema_name(get_args(parameter)[0])}List"
    return str(getattr(parameter, "__name__", parameter))


class DataEnvelope(BaseModel, Generic[T]):
    status: Literal["success"] = "success"
    data: T

    @classmethod
    def model_parametrized_name(cls, params: tuple[TypeForm[Any], ...]) -> str:
        return f"{schema_name(params[0])}Envelope"


class MessageEnvelope(BaseModel):
    status: Literal["success"] = "success"
    message: str


class FieldError(BaseModel):
    field: str
    message: str


class ErrorEnvelope(BaseModel):
    """Every error answer. `code` is what a client branches on; the OpenAPI document lists every
    code the app can answer (see fitcoach.http.openapi)."""

    status: Literal["error"] = "error"
    message: str
    statusCode: int
    code: str = Field(description="Stable, machine-readable reason", examples=["not_found"])
    errors: list[FieldError] | None = None


def ok(data: T) -> DataEnvelope[T]:
    # Not DataEnvelope[T](...): parametrising a generic model looks its class up on every call,
    # and the route's response model validates the envelope all the same.
    return DataEnvelope(data=data)


def said(message: str) -> MessageEnvelope:
    return MessageEnvelope(message=message)


# The codes of errors that are not DomainErrors: the framework's and the edge's own answers.
# A DomainError's code lives on its class (fitcoach.core.errors).
FRAMEWORK_ERROR_CODES: dict[str, tuple[int, str]] = {
    "malformed_json": (400, "The body is not valid JSON"),
    "validation_failed": (422, "A parameter or body field breaks the schema; `errors` lists each"),
    "route_not_found": (404, "No route has this path"),
    "method_not_allowed": (405, "The path exists, the method does not (see `Allow`)"),
    "payload_too_large": (413, "The body exceeds the size limit"),
    "transaction_conflict": (503, "A concurrent change won; retry after `Retry-After`"),
    "database_unavailable": (503, "The database cannot be reached; retry after `Retry-After`"),
    "dependency_unavailable": (503, "The health check found a dependency down"),
    "internal_error": (500, "A bug; the request id finds it in the logs"),
    "http_error": (400, "Any other error the HTTP layer answers by itself"),
}
HTTP_STATUS_CODES = {404: "route_not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def error_body(status_code: int, message: str, code: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "statusCode": status_code,
        "code": code,
    }
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
