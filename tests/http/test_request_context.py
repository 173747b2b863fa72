"""Request ids and the access log: every response carries X-Request-ID, and one structured line
per request names its request id, route template, status and duration."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import structlog
from fastapi import APIRouter, FastAPI

from tests.factories import random_phone

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")
LogLines = Callable[[], list[dict[str, Any]]]

probe_router = APIRouter(prefix="/probe")


@probe_router.get("/items/{item_id}")
async def read_probe_item(item_id: int) -> dict[str, int]:
    structlog.get_logger("tests.probe").info("probe_item_read", item_id=item_id)
    return {"itemId": item_id}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"access_log": True, "log_json": True}


@pytest.fixture
def log_lines(app: FastAPI) -> Iterator[LogLines]:
    """The app's log lines, rendered by the formatter create_app installed (JSON here)."""
    root = logging.getLogger()
    formatter = next(
        handler.formatter
        for handler in root.handlers
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter)
    )
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(formatter)
    root.addHandler(capture)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(capture)


def access_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("logger") == "fitcoach.access"]


async def test_request_id_is_generated_when_absent(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/v1/health")
    second = await client.get("/api/v1/health")
    assert GENERATED_ID.match(first.headers["X-Request-ID"])
    assert GENERATED_ID.match(second.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize("request_id", ["abc-123.XYZ_9", "7f3c9a1e-0d4b-4c55-9a43-2f1e6b8d0c11"])
async def test_safe_request_id_is_echoed(client: httpx.AsyncClient, request_id: str) -> None:
    response = await client.get("/api/v1/health", headers={"X-Request-ID": request_id})
    assert response.headers["X-Request-ID"] == request_id


@pytest.mark.parametrize(
    "request_id",
    ["x" * 200, "has spaces", "semi;colon", "new\tline", "ünïcode"],
    ids=["200-chars", "spaces", "semicolon", "tab", "non-ascii"],
)
async def test_unsafe_request_id_is_replaced(client: httpx.AsyncClient, request_id: str) -> None:
    response = await client.get("/api/v1/health", headers={"X-Request-ID": request_id.encode()})
    assert GENERATED_ID.match(response.headers["X-Request-ID"])


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/no-such-route", 404),
        ("GET", "/api/v1/auth/otp/send", 405),
        ("POST", "/api/v1/auth/otp/send", 422),
        ("GET", "/api/v1/auth/me", 401),
    ],
)
async def test_error_responses_carry_the_request_id(
    client: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path, headers={"X-Request-ID": "trace-err"})
    assert response.status_code == status
    assert response.headers["X-Request-ID"] == "trace-err"


async def test_access_line_names_request_id_route_status_and_duration(
    client: httpx.AsyncClient, log_lines: LogLines
) -> None:
    response = await client.post(
        "/api/v1/auth/otp/send",
        json={"phone": random_phone()},
        headers={"X-Request-ID": "trace-42"},
    )
    assert response.status_code == 200
    [line] = access_lines(log_lines())
    assert line["event"] == "request"
    assert line["level"] == "info"
    assert line["request_id"] == "trace-42"
    assert line["method"] == "POST"
    assert line["path"] == "/api/v1/auth/otp/send"
    assert line["route"] == "/api/v1/auth/otp/send"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float | int)
    assert line["duration_ms"] >= 0
    assert line["timestamp"].endswith("Z")


async def test_access_line_route_is_the_template_not_the_path(
    app: FastAPI, client: httpx.AsyncClient, log_lines: LogLines
) -> None:
    app.include_router(probe_router, prefix="/api/v1")
    response = await client.get("/api/v1/probe/items/7", headers={"X-Request-ID": "trace-7"})
    assert response.status_code == 200
    lines = log_lines()
    [access] = access_lines(lines)
    assert access["route"] == "/api/v1/probe/items/{item_id}"
    assert access["path"] == "/api/v1/probe/items/7"
    # Lines logged while handling the request carry its id too.
    [inner] = [line for line in lines if line["event"] == "probe_item_read"]
    assert inner["request_id"] == "trace-7"


async def test_access_line_for_unknown_route_and_wrong_method(
    client: httpx.AsyncClient, log_lines: LogLines
) -> None:
    await client.get("/api/v1/no-such-route")
    await client.get("/api/v1/auth/otp/send")
    # Answered before any route by the literal path's owner (fitcoach.http.path_owners).
    await client.patch("/api/v1/plans/today")
    unknown, wrong_method, not_the_owners = access_lines(log_lines())
    assert (unknown["route"], unknown["status"]) == (None, 404)
    assert (wrong_method["route"], wrong_method["status"]) == ("/api/v1/auth/otp/send", 405)
    assert (not_the_owners["route"], not_the_owners["status"]) == ("/api/v1/plans/today", 405)


async def test_access_line_never_holds_the_request_body(
    client: httpx.AsyncClient, log_lines: LogLines
) -> None:
    await client.post(
        "/api/v1/auth/login", json={"provider": "+201000000001", "password": "S3cret!Value"}
    )
    rendered = json.dumps(log_lines())
    assert "S3cret!Value" not in rendered
    assert "+201000000001" not in rendered


def test_httpx_request_lines_are_not_logged_at_info(app: FastAPI) -> None:
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
