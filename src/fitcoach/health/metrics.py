"""GET /metrics in the Prometheus text format. Off with FITCOACH_METRICS_ENABLED=false (and by
default in production); behind a bearer token with FITCOACH_METRICS_TOKEN; open otherwise, as
scrapers on a private network expect."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response

from fitcoach.core.errors import NotFound, Unauthorized
from fitcoach.core.metrics import render_metrics

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
    summary="Prometheus metrics (public, or bearer FITCOACH_METRICS_TOKEN when set)",
)
async def metrics(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.serves_metrics:
        raise NotFound("Route not found")
    if settings.metrics_token is not None:
        expected = f"Bearer {settings.metrics_token.get_secret_value()}"
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthorized("A valid metrics token is required")
    body, content_type = render_metrics()
    return Response(body, media_type=content_type)
