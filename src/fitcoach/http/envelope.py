"""The response envelope of the auth-flow update, for every endpoint:
`{"status":"success","data":...}`, `{"status":"success","message":...}` and
`{"status":"error","message":...,"statusCode":...}`."""

from __future__ import annotations

from datetime import UTC, datetime
from types import UnionType
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema
from typing_extensions import TypeForm

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
    it may not set (roles, ids) instead of having it silently dropped.

    Every rule checked here is also stated in the body's JSON schema, so a schema-valid body
    is never refused as invalid: strings carry a no-NUL pattern, fields in `never_null` lose
    their null branch, and a whole number sent as `30.0` (an integer to JSON Schema) counts
    as the integer."""

    model_config = ConfigDict(extra="forbid")
    # Optional fields a client may leave out but may not send as null (in a PATCH, null would
    # mean "clear", which these fields cannot be).
    never_null: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _edge_rules(cls, value: Any, info: ValidationInfo) -> Any:
        """PostgreSQL text cannot hold NUL: refuse it in every string of a body (422, on the
        field), on every database alike, rather than fail at the insert."""
        _refuse_nul_in(value)
        name = info.field_name or ""
        if value is None and name in cls.never_null:
            raise ValueError(f"{name} cannot be null")
        if isinstance(value, float) and value.is_integer() and _takes_int(cls, name):
            return int(value)
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        properties = handler.resolve_ref_schema(schema).get("properties", {})
        for name, field in cls.model_fields.items():
            prop = properties.get(field.alias or name)
            if prop is None:
                continue
            if name in cls.never_null:
                _drop_null(prop)
            _state_no_nul(prop, not_blank=_strips_blank(field.annotation, field.metadata))
        return schema


def schema_rule(**rule: Any) -> dict[str, Any]:
    """`json_schema_extra` stating a rule that a validator of the field enforces with its own
    message (a `pattern=` constraint would answer with the generic one first)."""
    return {_JSON_SCHEMA_KEYS.get(key, key): value for key, value in rule.items()}


_JSON_SCHEMA_KEYS = {"min_length": "minLength", "max_length": "maxLength"}
SIX_DIGITS = schema_rule(pattern="^[0-9]{6}$")
# Safe forms of an http(s) URL: a host of dotted labels and a plain path. The path is one
# optional run rather than a repeated group: the same strings, and far less work for the test
# data generators that read the pattern (the fuzz passes build their cases from it).
HTTP_URL = schema_rule(
    pattern="^https?://[a-z0-9]+(\\.[a-z0-9]+)*(/[A-Za-z0-9._~/-]*)?$", format="uri"
)
UNIQUE_ITEMS = schema_rule(uniqueItems=True)


def _takes_int(model: type[BaseModel], name: str) -> bool:
    field = model.model_fields.get(name)
    if field is None:
        return False
    annotation = field.annotation
    members = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    # `Rating | None`: each member may be Annotated[int, ...].
    accepted = {get_args(m)[0] if get_origin(m) is Annotated else m for m in members}
    return annotation is int or (int in accepted and float not in accepted)


def _drop_null(prop: dict[str, Any]) -> None:
    members = [member for member in prop.pop("anyOf", []) if member != {"type": "null"}]
    if len(members) == 1:
        prop.update(members[0])
    elif members:
        prop["anyOf"] = members


_NO_NUL = "^[^\\u0000]*$"


# A label is stripped before its length counts: it must hold a visible character.
_NO_NUL_NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


def _strips_blank(annotation: Any, metadata: list[Any]) -> bool:
    """Whether the text (or the texts of a list) is stripped before a minimum length counts,
    so that a blank one is refused."""
    for item in metadata:
        if isinstance(item, StringConstraints) and item.strip_whitespace and item.min_length:
            return True
    if get_origin(annotation) is Annotated:
        base, *extra = get_args(annotation)
        return _strips_blank(base, list(extra))
    return any(_strips_blank(argument, []) for argument in get_args(annotation))


def _state_no_nul(schema: dict[str, Any], *, not_blank: bool) -> None:
    if schema.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(schema):
        schema["pattern"] = _NO_NUL_NOT_BLANK if not_blank else _NO_NUL
    for member in schema.get("anyOf", []):
        _state_no_nul(member, not_blank=not_blank)
    if isinstance(schema.get("items"), dict):
        _state_no_nul(schema["items"], not_blank=not_blank)


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
        402: "Declined by the payment provider (the message says why); nothing was charged",
        403: "Not allowed for this caller",
        404: "Not found",
        409: "Conflict with the current state",
        413: "Request body too large",
        415: "Unsupported media type",
        422: "Validation failed",
        429: "Rate limit or attempt limit reached",
        502: "An outside provider failed",
        503: "A dependency is unavailable",
    }
    return {code: {"model": ErrorEnvelope, "description": descriptions[code]} for code in codes}
