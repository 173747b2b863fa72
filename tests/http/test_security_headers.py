"""Every answer carries the security headers (success, error, refusal at the edge, docs page);
Strict-Transport-Security only over TLS: served directly as https, or per X-Forwarded-Proto
from a trusted proxy, never because an untrusted client says so."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import make_settings
from tests.console import sqlite_url
from tests.standalone import standalone_app

JSON = {"content-type": "application/json"}
EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
}


def assert_security_headers(response: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.request.url, name)


async def test_every_kind_of_answer(client: httpx.AsyncClient) -> None:
    answers = [
        await client.get("/api/v1/health/live"),
        await client.get("/api/v1/no-such-route"),
        await client.get("/api/v1/auth/me"),
        await client.post("/api/v1/auth/login", content=b"{not json", headers=JSON),
        await client.post("/api/v1/auth/login", content=b'{"password": "\\ud800"}', headers=JSON),
        await client.post("/api/v1/auth/login", content=b"x" * 2_000_000),
        await client.get("/docs"),
        await client.get("/openapi.json"),
    ]
    assert [answer.status_code for answer in answers] == [200, 404, 401, 400, 422, 413, 200, 200]
    for answer in answers:
        assert_security_headers(answer)
        assert "strict-transport-security" not in answer.headers


@pytest.mark.parametrize(
    ("base_url", "peer", "forwarded_proto", "hsts"),
    [
        ("https://testserver", "198.51.100.1", None, True),
        ("http://testserver", "10.0.0.5", "https", True),
        ("http://testserver", "198.51.100.1", "https", False),
        ("http://testserver", "10.0.0.5", None, False),
    ],
    ids=["tls", "trusted-proxy-tls", "untrusted-claim", "trusted-proxy-plain"],
)
async def test_hsts_only_over_tls(
    tmp_path: Path, base_url: str, peer: str, forwarded_proto: str | None, hsts: bool
) -> None:
    settings = make_settings(sqlite_url(tmp_path), tmp_path, trusted_proxies="10.0.0.0/8")
    headers = {"x-forwarded-proto": forwarded_proto} if forwarded_proto else {}
    async with standalone_app(settings) as (app, _):
        transport = httpx.ASGITransport(app=app, client=(peer, 50000))
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            response = await client.get("/api/v1/health/live", headers=headers)
    assert_security_headers(response)
    expected = "max-age=31536000" if hsts else None
    assert response.headers.get("strict-transport-security") == expected


async def test_hsts_can_be_turned_off(tmp_path: Path) -> None:
    settings = make_settings(sqlite_url(tmp_path), tmp_path, hsts_max_age_seconds=0)
    async with standalone_app(settings) as (app, _):
        transport = httpx.ASGITransport(app=app, client=("198.51.100.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            response = await client.get("/api/v1/health/live")
    assert_security_headers(response)
    assert "strict-transport-security" not in response.headers
