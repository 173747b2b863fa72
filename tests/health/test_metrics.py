"""GET /metrics: Prometheus text, counted by route template; optional token; can be off.
The in-process registry is shared by every test, so each test compares before and after."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.conftest import make_settings
from tests.console import sqlite_url
from tests.factories import Factory, assert_error, random_phone, with_settings
from tests.standalone import standalone_app


def sample(metrics: str, name: str, **labels: str) -> float:
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    total = 0.0
    for line in metrics.splitlines():
        match = re.match(rf"{name}\{{(.*)\}} (\S+)$", line)
        if match and all(label in match.group(1).split(",") for label in wanted):
            total += float(match.group(2))
    return total


async def scrape(client: httpx.AsyncClient, **headers: str) -> str:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_requests_are_counted_by_route_template(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    before = await scrape(client)
    for _ in range(3):
        await client.get(
            f"/api/v1/plans/{'0' * 8}-0000-0000-0000-{'0' * 12}", headers=admin.headers
        )
    await client.get("/api/v1/no-such-route")
    after = await scrape(client)
    template = {"method": "GET", "route": "/api/v1/plans/{planId}", "status": "4xx"}
    assert (
        sample(after, "fitcoach_http_requests_total", **template)
        - sample(before, "fitcoach_http_requests_total", **template)
        == 3
    )
    unmatched = {"route": "unmatched", "status": "4xx"}
    assert sample(after, "fitcoach_http_requests_total", **unmatched) > sample(
        before, "fitcoach_http_requests_total", **unmatched
    )
    latency = {"method": "GET", "route": "/api/v1/plans/{planId}"}
    assert (
        sample(after, "fitcoach_http_request_duration_seconds_count", **latency)
        - sample(before, "fitcoach_http_request_duration_seconds_count", **latency)
        == 3
    )
    assert "fitcoach_db_pool_connections_in_use" in after
    assert "fitcoach_db_pool_size" in after


async def test_otp_and_rate_limit_counters(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    for _ in range(6):
        await client.post("/api/v1/otp/send", json={"phone": random_phone()})
    after = await scrape(client)
    assert (
        sample(after, "fitcoach_otp_sent_total", purpose="auth")
        - sample(before, "fitcoach_otp_sent_total", purpose="auth")
        == 5
    )
    assert (
        sample(after, "fitcoach_rate_limit_rejections_total", scope="otp.send")
        - sample(before, "fitcoach_rate_limit_rejections_total", scope="otp.send")
        == 1
    )


@with_settings(metrics_token="scrape-token-0123456789")
async def test_metrics_behind_a_token(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/metrics"), 401, "A valid metrics token is required")
    assert_error(await client.get("/metrics", headers={"Authorization": "Bearer wrong"}), 401)
    await scrape(client, Authorization="Bearer scrape-token-0123456789")


@with_settings(metrics_enabled=False)
async def test_metrics_can_be_turned_off(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/metrics"), 404)


def _series(metrics: str) -> set[str]:
    return {
        line.rsplit(" ", 1)[0]
        for line in metrics.splitlines()
        if line.startswith("fitcoach_http_request")
    }


async def _junk(client: httpx.AsyncClient, round_: int) -> None:
    for method in ("FOO", f"X{round_}", "PROPFIND", "get", "TRACE"):
        await client.request(method, f"/api/v1/junk-{round_}/{method}")
        await client.request(method, "/api/v1/health/live")
    for path in (f"/{round_}", f"/api/v1/plans/{round_}/x", f"/wp-login.php?{round_}=1"):
        await client.get(path)
    await client.post("/api/v1/auth/login", content=b"{bad json")


async def test_no_request_adds_a_series(client: httpx.AsyncClient) -> None:
    """Method, route and status labels come from fixed sets: once each kind of junk was seen,
    more junk (new methods, paths, statuses) adds no series, only counts."""
    await _junk(client, 0)
    # The first scrape in a process adds the /metrics route's own series: scrape once first.
    await scrape(client)
    before = _series(await scrape(client))
    for round_ in range(1, 6):
        await _junk(client, round_)
    after = await scrape(client)
    assert _series(after) == before
    assert sample(after, "fitcoach_http_requests_total", method="other", route="unmatched") > 0
    assert sample(after, "fitcoach_http_requests_total", route="/api/v1/health/live", status="4xx")


async def test_metrics_and_docs_are_off_in_production_by_default(tmp_path: Path) -> None:
    settings = make_settings(
        sqlite_url(tmp_path),
        tmp_path,
        env="production",
        sms_provider="console",
        allow_console_sms_in_production=True,
        allow_unscanned_attachments_in_production=True,
    )
    async with standalone_app(settings) as (_, client):
        for path in ("/metrics", "/docs", "/redoc", "/openapi.json"):
            assert_error(await client.get(path), 404)
    on = make_settings(
        sqlite_url(tmp_path),
        tmp_path,
        env="production",
        sms_provider="console",
        allow_console_sms_in_production=True,
        allow_unscanned_attachments_in_production=True,
        metrics_enabled=True,
        docs_enabled=True,
    )
    async with standalone_app(on) as (_, client):
        for path in ("/metrics", "/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 200, path
