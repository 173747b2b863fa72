"""One guard at the edge for text no layer below can handle: a lone UTF-16 surrogate (JSON
`"\\ud800"`, or its UTF-8-looking bytes in a query string or header). Python decodes it into a str
that cannot be encoded again, so it used to surface deep down as a 500 (argon2 hashing a password,
asyncpg sending a name, the logger writing the error). Here it is refused with a 422 naming the
field, for every route at once, before any endpoint, model or log line sees it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fitcoach.http.envelope import error_body

SURROGATE_MESSAGE = "Text must not contain lone UTF-16 surrogates (\\ud800-\\udfff)"

# A JSON escape of a surrogate; a body without one cannot decode to a lone surrogate, so the
# common body is scanned once and never parsed here.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# A surrogate code point written in UTF-8 form (ED A0..BF xx): what `\ud800` becomes in bytes.
_SURROGATE_BYTES = re.compile(rb"\xed[\xa0-\xbf]")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SurrogateGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field = _surrogate_in_query(scope["query_string"]) or _surrogate_in_headers(
            scope["headers"]
        )
        if field is None and scope["method"] in _BODY_METHODS:
            body, receive = await _buffered(receive)
            field = _surrogate_in_body(body)
        if field is None:
            await self.app(scope, receive, send)
            return
        response = JSONResponse(
            error_body(
                422,
                SURROGATE_MESSAGE,
                "validation_failed",
                errors=[{"field": field, "message": SURROGATE_MESSAGE}],
            ),
            status_code=422,
        )
        await response(scope, receive, send)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body (already capped by the request-context middleware), and a receive that
    hands it on as one message."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            # The client left; let the app see the disconnect.
            return b"", _replay(message, receive)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, _replay({"type": "http.request", "body": body, "more_body": False}, receive)


def _replay(first: Message, receive: Receive) -> Receive:
    pending: list[Message] = [first]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _surrogate_in_query(query_string: bytes) -> str | None:
    if not query_string:
        return None
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        raw_name = unquote_to_bytes(name.replace(b"+", b" "))
        if _SURROGATE_BYTES.search(raw_name):
            return "query"
        if _SURROGATE_BYTES.search(unquote_to_bytes(value.replace(b"+", b" "))):
            return raw_name.decode("utf-8", "replace")
    return None


def _surrogate_in_headers(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if _SURROGATE_BYTES.search(value):
            return name.decode("latin-1")
    return None


def _surrogate_in_body(body: bytes) -> str | None:
    if not _SURROGATE_ESCAPE.search(body):
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None  # not JSON: the route's own parsing answers it
    for path, text in _strings(document, ()):
        if _has_lone_surrogate(text):
            return ".".join(_printable(part) for part in path) or "body"
    return None


def _strings(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every string in a JSON document with its path; a key is reported at its own path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key), key
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, str(index)))


def _has_lone_surrogate(text: str) -> bool:
    # json.loads joins a valid pair (an emoji) into one code point; what is left is lone.
    return any("\ud800" <= char <= "\udfff" for char in text)


def _printable(part: str) -> str:
    """A path segment safe to echo and log: a surrogate in a key is shown as its escape."""
    return part.encode("utf-8", "backslashreplace").decode("utf-8")
