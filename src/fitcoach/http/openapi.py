"""The OpenAPI document a client generator reads: short camelCase operationIds, every error code,
the response headers the app sends, and errors listed where they can happen. FastAPI builds the
document from the routes; this module adds what the routes cannot say about themselves, once,
for every operation, so no endpoint repeats it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic.alias_generators import to_camel

from fitcoach.core.errors import DomainError
from fitcoach.http.envelope import FRAMEWORK_ERROR_CODES, ErrorEnvelope, error_responses
from fitcoach.http.ratelimit import RateLimit

_METHODS = ("get", "put", "post", "patch", "delete")
_RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Requests allowed in the window",
    "RateLimit-Remaining": "Requests left in the window",
    "RateLimit-Reset": "Seconds until the window frees a request",
}
_RETRY_AFTER = {"Retry-After": "Seconds to wait before retrying"}
_LOCATION = {"Location": "URL of the created resource"}
# FastAPI's own validation-error schemas: the app answers every 422 with ErrorEnvelope instead.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_ERROR_SCHEMA = ErrorEnvelope.__name__


# Who may call an operation, by the dependency that admits the caller (see describe_callers).
_CALLERS: dict[Callable[..., Any], str] = {}
PUBLIC = "anyone: the operation takes no access token"
SIGNED_IN = "any signed-in user"


def describe_callers(dependency: Callable[..., Any], callers: str) -> None:
    """Say who `dependency` admits ("admins or coaches"). An operation's description names the
    callers of the first role check it declares, else SIGNED_IN if it takes a token."""
    _CALLERS[dependency] = callers


def operation_id(route: APIRoute) -> str:
    """`send_login_otp` -> `sendLoginOtp`: the route function's name is the operation's name, so
    it is stable as long as the function keeps its name, and reads as the call it is."""
    return to_camel(route.name)


def domain_error_codes() -> dict[str, type[DomainError]]:
    """Every DomainError subclass defined so far, by code (the first defined wins a shared code:
    two domains may name the same situation alike)."""
    found: dict[str, type[DomainError]] = {DomainError.code: DomainError}
    pending = list(DomainError.__subclasses__())
    while pending:
        error = pending.pop(0)
        found.setdefault(error.code, error)
        pending.extend(error.__subclasses__())
    return found


def error_codes() -> list[str]:
    """Every `code` an error body may carry."""
    return sorted({*domain_error_codes(), *FRAMEWORK_ERROR_CODES})


def error_code_table() -> str:
    """The README's table of error codes, from the errors themselves."""
    rows = {code: (status, meaning) for code, (status, meaning) in FRAMEWORK_ERROR_CODES.items()}
    for code, error in domain_error_codes().items():
        # The class's own default message; one built per raise (naming a provider, a field) is
        # described by the code itself.
        meaning = error.__dict__.get("message") or code.replace("_", " ").capitalize()
        rows[code] = (error.status_code, meaning)
    lines = ["| Code | Status | Meaning |", "| --- | --- | --- |"]
    lines += [
        f"| `{code}` | {status} | {meaning} |"
        for code, (status, meaning) in sorted(rows.items(), key=lambda row: (row[1][0], row[0]))
    ]
    return "\n".join(lines)


def install_openapi(app: FastAPI) -> None:
    """Serve the finished document at /openapi.json (built once, on first request)."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_document(app)
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def build_document(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    for route, operation in _operations(app, document):
        _complete(route, operation)
    document = _named_by_title(document)
    schemas = document.get("components", {}).get("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    error_schema = schemas.get(_ERROR_SCHEMA)
    if error_schema is not None:
        error_schema["properties"]["code"]["enum"] = error_codes()
    return document


def _named_by_title(document: dict[str, Any]) -> dict[str, Any]:
    """Pydantic names a parametrised model's schema after its generic arguments
    (`DataEnvelope_Page_PlanOut__`); its title is the name the model chose for itself
    (`model_parametrized_name`: `PlanOutPageEnvelope`). Rename such schemas to their titles."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    renamed = {
        name: schema["title"]
        for name, schema in schemas.items()
        if not name.isalnum() and str(schema.get("title", "")).isalnum()
    }
    if len(set(renamed.values()) | (schemas.keys() - renamed.keys())) != len(schemas):
        raise RuntimeError(f"two schemas would share a name: {sorted(renamed.values())}")
    prefix = "#/components/schemas/"
    refs = {prefix + old: prefix + new for old, new in renamed.items()}
    named: dict[str, Any] = _renamed_refs(document, refs, renamed)
    return named


def _renamed_refs(node: Any, refs: dict[str, str], names: dict[str, str]) -> Any:
    if isinstance(node, dict):
        renamed: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                renamed[key] = refs.get(value, value)
            elif key == "schemas" and isinstance(value, dict):
                schemas: dict[str, Any] = {
                    names.get(str(name), str(name)): schema for name, schema in value.items()
                }
                renamed[key] = {
                    name: _renamed_refs(schemas[name], refs, names) for name in sorted(schemas)
                }
            else:
                renamed[key] = _renamed_refs(value, refs, names)
        return renamed
    if isinstance(node, list):
        return [_renamed_refs(item, refs, names) for item in node]
    return node


def _operations(
    app: FastAPI, document: dict[str, Any]
) -> Iterator[tuple[APIRoute, dict[str, Any]]]:
    paths = document.get("paths", {})
    # Included routers keep their routes; the contexts carry each route's full path.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in context.methods or ():
            operation = paths.get(context.path_format, {}).get(method.lower())
            if operation is not None:
                yield route, operation


def _complete(route: APIRoute, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    error = error_responses(403, 413, 422)
    if operation.get("security"):
        # The token may belong to a blocked account, or to a role the operation refuses.
        responses.setdefault("403", _as_document(error[403]))
    if "requestBody" in operation:
        responses.setdefault("413", _as_document(error[413]))
    if "422" in responses:
        responses["422"] = {**_as_document(error[422]), **_described(responses["422"])}
    operation["description"] = _description(route, operation)
    for parameter in operation.get("parameters", ()):
        parameter["schema"] = _not_null(parameter.get("schema", {}))
    rate_limited = _has_dependency(route.dependant, lambda call: isinstance(call, RateLimit))
    for status, response in responses.items():
        headers = _headers_of(status, rate_limited=rate_limited)
        if headers:
            response.setdefault("headers", {}).update(headers)


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter is absent or has a value: a query string or a header cannot carry null, so
    `int | None` is documented as an optional integer (a client that sent "null" was refused)."""
    branches = schema.get("anyOf")
    if not branches or {"type": "null"} not in branches:
        return schema
    rest = [branch for branch in branches if branch != {"type": "null"}]
    others = {
        key: value
        for key, value in schema.items()
        if key != "anyOf" and not (key == "default" and value is None)
    }
    return {**others, **rest[0]} if len(rest) == 1 else {**others, "anyOf": rest}


def _description(route: APIRoute, operation: dict[str, Any]) -> str:
    """The route's own text (its description or docstring, else its summary), then who may
    call it and the errors it may answer: both derived, so neither drifts from the code."""
    text = operation.get("description") or route.summary or ""
    found = list(_callers(route.dependant))
    callers = next((text for text in found if text != SIGNED_IN), found[0] if found else PUBLIC)
    errors = "\n".join(
        f"- {status}: {response.get('description', '')}"
        for status, response in sorted(operation.get("responses", {}).items())
        if status.startswith(("4", "5"))
    )
    return (
        f"{text.strip()}\n\n**Who may call:** {callers}.\n\n"
        f"**Errors** (each with a `code`, see ErrorEnvelope):\n{errors}"
    )


def _callers(dependant: Dependant) -> Iterator[str]:
    for dependency in dependant.dependencies:
        if dependency.call in _CALLERS:
            yield _CALLERS[dependency.call]
        yield from _callers(dependency)


def _described(response: dict[str, Any]) -> dict[str, Any]:
    # FastAPI's default text for its own 422 says nothing the error body does not.
    description = response.get("description")
    if description and description != "Validation Error":
        return {"description": description}
    return {}


def _headers_of(status: str, *, rate_limited: bool) -> dict[str, Any]:
    names: dict[str, str] = {}
    if rate_limited and not status.startswith("5"):
        names.update(_RATE_LIMIT_HEADERS)
    if status in {"429", "503"}:
        names.update(_RETRY_AFTER)
    if status == "201":
        names.update(_LOCATION)
    return {
        name: {
            "description": text,
            "schema": {"type": "string" if name == "Location" else "integer"},
        }
        for name, text in names.items()
    }


def _as_document(response: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": response["description"],
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{_ERROR_SCHEMA}"}}
        },
    }


def _has_dependency(dependant: Dependant, matches: Callable[[object], bool]) -> bool:
    return any(
        matches(dependency.call) or _has_dependency(dependency, matches)
        for dependency in dependant.dependencies
    )
