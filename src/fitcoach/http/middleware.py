"""Request context: a request id on every log line and in X-Request-ID, the security headers on
every answer, the client IP and actor for the audit trail, one access-log line and the HTTP
metrics per request (by route template, method and status class, each from a fixed set), and the
request-body cap answered in the error envelope."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from fastapi.responses import JSONResponse
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fitcoach.config import Settings
from fitcoach.core.metrics import DB_POOL_CHECKED_OUT, HTTP_LATENCY, HTTP_REQUESTS
from fitcoach.http.client_ip import is_trusted_proxy, resolve_client_ip
from fitcoach.http.envelope import HTTP_STATUS_CODES, error_body
from fitcoach.http.path_owners import declared_routes
from fitcoach.http.request_context import close_request_context, open_request_context

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
access_log = structlog.get_logger("fitcoach.access")

# Metric labels come from fixed sets only, so no request can add a series: a method outside
# this set is "other", a status is its class, a path no route matches is "unmatched".
# Room for a multipart body's boundaries and part headers around the file.
_FORM_OVERHEAD = 16_384
_METRIC_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# An API answers JSON to programs: nothing to sniff, frame or refer from.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
)


class RequestContextMiddleware:
    def __init__(
        self, app: ASGIApp, *, settings: Settings, pool_stats: Callable[[], int] | None = None
    ) -> None:
        self.app = app
        self.settings = settings
        self.pool_stats = pool_stats
        self._route_templates: dict[int, str] = {}
        # The metric series by (method, route, status) labels, looked up once each: the labels
        # come from fixed sets, so this stays as small as the series themselves.
        self._series: dict[tuple[str, str, str], tuple[Any, Any]] = {}
        self._hsts = (
            (b"strict-transport-security", f"max-age={settings.hsts_max_age_seconds}".encode())
            if settings.hsts_max_age_seconds
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        peer = scope.get("client")
        client_ip = resolve_client_ip(
            peer[0] if peer else None,
            headers.get(b"x-forwarded-for", b"").decode("latin-1") or None,
            self.settings.trusted_proxy_networks,
        )
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["client_ip"] = client_ip
        context_token = open_request_context(request_id, client_ip)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_code = 500
        added_headers = [(b"x-request-id", request_id.encode()), *SECURITY_HEADERS]
        if self._hsts is not None and self._over_tls(scope, headers):
            added_headers.append(self._hsts)

        async def send_with_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *added_headers]
            await send(message)

        # A multipart body is an upload: it may be as large as the upload limit (the endpoint
        # enforces the exact limit on the file itself).
        limit = (
            max(self.settings.max_body_bytes, self.settings.attachment_max_bytes + _FORM_OVERHEAD)
            if headers.get(b"content-type", b"").startswith(b"multipart/form-data")
            else self.settings.max_body_bytes
        )
        try:
            if _declared_length(headers) > limit:
                await self._too_large(send_with_id, limit)
            else:
                await self.app(scope, _capped(receive, limit), send_with_id)
        except _BodyTooLarge:
            await self._too_large(send_with_id, limit)
        finally:
            elapsed = time.perf_counter() - started
            route = self._route_template(scope)
            # Unmatched paths share one label, so scanners cannot blow up the series count.
            route_label = route or "unmatched"
            method_label = scope["method"] if scope["method"] in _METRIC_METHODS else "other"
            status_label = f"{min(max(status_code // 100, 1), 5)}xx"
            labels = (method_label, route_label, status_label)
            series = self._series.get(labels)
            if series is None:
                series = self._series[labels] = (
                    HTTP_REQUESTS.labels(*labels),
                    HTTP_LATENCY.labels(method_label, route_label),
                )
            series[0].inc()
            series[1].observe(elapsed)
            if self.pool_stats is not None:
                DB_POOL_CHECKED_OUT.set(self.pool_stats())
            if self.settings.access_log:
                access_log.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    route=route,
                    status=status_code,
                    duration_ms=round(elapsed * 1000, 2),
                )
            structlog.contextvars.clear_contextvars()
            close_request_context(context_token)

    def _over_tls(self, scope: Scope, headers: dict[bytes, bytes]) -> bool:
        """Served over TLS: by this server, or by a trusted proxy that says so. An untrusted
        client's X-Forwarded-Proto is ignored, as its X-Forwarded-For is."""
        if scope.get("scheme") == "https":
            return True
        proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[0].strip()
        peer = scope.get("client")
        return (
            proto.lower() == "https"
            and peer is not None
            and is_trusted_proxy(peer[0], self.settings.trusted_proxy_networks)
        )

    async def _too_large(self, send: Send, limit: int) -> None:
        message = body_too_large_message(limit)
        response = JSONResponse(error_body(413, message, HTTP_STATUS_CODES[413]), status_code=413)
        await response({"type": "http"}, _no_body, send)

    def _route_template(self, scope: Scope) -> str | None:
        """The matched route's full template (`/api/v1/plans/{planId}`). FastAPI puts the route
        object of the included router in scope["route"], whose path lacks the prefixes it was
        included under; the routes as declared, walked under their routers' prefixes, know the
        full path."""
        route = scope.get("route")
        if route is None:
            return None
        if id(route) not in self._route_templates:
            self._route_templates = _templates_by_route(scope["app"])
        return self._route_templates.get(id(route), getattr(route, "path", None))


class _BodyTooLarge(HTTPException):
    """An HTTPException, so FastAPI's body parsing lets it through to the error handler rather
    than calling it a parse error."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, body_too_large_message(limit))


def body_too_large_message(limit: int) -> str:
    return f"Request body too large (limit {limit} bytes)"


def _declared_length(headers: dict[bytes, bytes]) -> int:
    try:
        return int(headers.get(b"content-length", b"0"))
    except ValueError:
        return 0


def _capped(receive: Receive, limit: int) -> Receive:
    """Count a streamed body as it arrives: a client may send more than it declared, or
    declare nothing at all."""
    received = 0

    async def receive_capped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _BodyTooLarge(limit)
        return message

    return receive_capped


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _templates_by_route(app: Starlette) -> dict[int, str]:
    return {id(declared.route): declared.path for declared in declared_routes(app.routes)}
