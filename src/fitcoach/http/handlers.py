"""The one place where exceptions become the error envelope. Nothing a client sends may surface
as a 500; a 500 is logged with its traceback and answered without internals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from fitcoach.core.errors import DomainError, ServiceUnavailable
from fitcoach.db.retry import COMMITTED_MARK, CONFLICT_MARK, is_transaction_conflict
from fitcoach.http.envelope import HTTP_STATUS_CODES, error_body
from fitcoach.http.path_owners import allowed_methods

log = structlog.get_logger("fitcoach.errors")

_HTTP_MESSAGES = {
    404: "Route not found",
    405: "Method not allowed",
}
_LOCATION_PREFIXES = {"body", "query", "path", "header", "cookie"}


class AnswerNow(Exception):
    """Raised by a dependency that already has the whole answer (an idempotent replay): the
    request's transaction rolls back and `response` is sent as it is."""

    def __init__(self, response: Response) -> None:
        super().__init__("answered early")
        self.response = response


async def _on_answer_now(request: Request, exc: AnswerNow) -> Response:
    return exc.response


def error_response(
    request: Request,
    error: tuple[int, str, str],
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """`error`: the status, the message and the code."""
    status_code, message, code = error
    merged = {**getattr(request.state, "rate_limit_headers", {}), **(headers or {})}
    return JSONResponse(
        error_body(status_code, message, code, **extra), status_code=status_code, headers=merged
    )


def _domain(exc: DomainError) -> tuple[int, str, str]:
    return exc.status_code, exc.message, exc.code


def _field_name(location: Sequence[Any]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in _LOCATION_PREFIXES:
        parts = parts[1:]
    return ".".join(parts)


def _describe(error: dict[str, Any]) -> dict[str, str]:
    field = _field_name(error.get("loc", ()))
    kind = error.get("type", "")
    if kind == "missing":
        message = f"{field} is required" if field else "Request body is required"
    elif kind in {"model_attributes_type", "dict_type"} and not field:
        message = "Request body must be a JSON object"
    elif kind == "extra_forbidden":
        message = f"{field} is not an accepted field"
    elif kind in {"value_error", "assertion_error"}:
        cause = (error.get("ctx") or {}).get("error")
        message = str(cause) if cause else error.get("msg", "Invalid value")
    else:
        message = f"{field}: {error.get('msg', 'Invalid value')}" if field else error["msg"]
    return {"field": field, "message": message}


async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        return error_response(request, (400, "Malformed JSON in request body", "malformed_json"))
    described = [_describe(error) for error in errors]
    message = described[0]["message"] if described else "Validation failed"
    return error_response(request, (422, message, "validation_failed"), errors=described)


async def _on_domain_error(request: Request, exc: DomainError) -> JSONResponse:
    # A domain error about one field of the body may name it as validation errors do.
    errors = getattr(exc, "errors", None)
    return error_response(request, _domain(exc), exc.headers, errors=errors)


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = _HTTP_MESSAGES.get(exc.status_code) or str(exc.detail)
    code = HTTP_STATUS_CODES.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette's 405 names the methods of the first route on the path only; a path served
        # by several routes (GET and POST in separate handlers) allows the methods of all of
        # them, and a literal path (`/plans/today`) not those of a parameter route beside it.
        headers["Allow"] = ", ".join(sorted(allowed_methods(request.app.routes, request.scope)))
    return error_response(request, (exc.status_code, message, code), headers)


async def _on_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    if is_transaction_conflict(exc):
        # Rolled back whole, so TransactionRetryMiddleware may replay the request (unless its
        # transaction had already committed); a client sees this once the replays conflicted too.
        log.warning("transaction_conflict", error=str(exc).splitlines()[0])
        if not getattr(request.state, COMMITTED_MARK, False):
            setattr(request.state, CONFLICT_MARK, True)
        conflict = ServiceUnavailable(
            "The request conflicted with a concurrent change, please retry", retry_after=1
        )
        answer = (conflict.status_code, conflict.message, "transaction_conflict")
        return error_response(request, answer, conflict.headers)
    if isinstance(exc, DBAPIError) and not (
        isinstance(exc, OperationalError) or exc.connection_invalidated
    ):
        return await _on_unexpected(request, exc)
    log.warning("database_unavailable", error=type(exc).__name__)
    unavailable = ServiceUnavailable()
    answer = (unavailable.status_code, unavailable.message, "database_unavailable")
    return error_response(request, answer, unavailable.headers)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The logging set-up (core/logging.py) writes the exception's types and frames only: its
    # message may quote SQL parameters, request text or secrets.
    log.error("unhandled_error", path=request.scope.get("path"), exc_info=exc)
    return error_response(request, (500, "Internal server error", "internal_error"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AnswerNow, _on_answer_now)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _on_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _on_domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http_error)  # type: ignore[arg-type]
    # Registered by type, not under Exception: Starlette answers an Exception handler outside
    # every middleware (no request id, no access line) and then re-raises.
    for unavailable in (DBAPIError, PoolTimeoutError, OSError):
        app.add_exception_handler(unavailable, _on_database_unavailable)
    app.add_exception_handler(Exception, _on_unexpected)
