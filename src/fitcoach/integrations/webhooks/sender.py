"""One attempt at a delivery: the signed POST to the partner's URL, bounded in time, with what
the delivery log keeps of it (the status code, the duration, a short reason on failure; never
the secret nor the partner's answer body)."""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from fitcoach.integrations.webhooks.payloads import encoded, signed_headers

_USER_AGENT = "fitcoach-webhooks/1"


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Built once: loading the CA bundle for every attempt would cost more than the request."""
    return ssl.create_default_context()


@dataclass(frozen=True)
class AttemptOutcome:
    response_code: int | None
    duration_ms: int
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class SignedMessage:
    """What one attempt sends, signed with the endpoint's secret under the delivery's id."""

    url: str
    secret: str
    message_id: str
    body: dict[str, Any]


async def post_signed(message: SignedMessage, timeout_seconds: float) -> AttemptOutcome:
    data = encoded(message.body)
    # Wall-clock, not the injected clock: the receiver checks it against its own clock.
    headers = signed_headers(message.secret, message.message_id, datetime.now(UTC), data)
    headers["user-agent"] = _USER_AGENT
    started = time.perf_counter()
    code: int | None = None
    error: str | None = None
    try:
        async with (
            httpx.AsyncClient(
                timeout=timeout_seconds, follow_redirects=False, verify=_tls_context()
            ) as client,
            # The overall bound: httpx's timeout applies to each phase, not the whole request.
            asyncio.timeout(timeout_seconds),
            # Streamed and never read: the partner's answer body is not ours to keep.
            client.stream("POST", message.url, content=data, headers=headers) as response,
        ):
            code = response.status_code
    except (TimeoutError, httpx.TimeoutException):
        error = f"timed out after {timeout_seconds:g} s"
    except httpx.HTTPError as exc:
        error = f"request failed: {exc.__class__.__name__}"
    if error is None and code is not None and not 200 <= code < 300:
        error = f"answered {code}"
    duration_ms = round((time.perf_counter() - started) * 1000)
    return AttemptOutcome(response_code=code, duration_ms=duration_ms, error=error)
