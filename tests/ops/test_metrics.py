"""GET /metrics: Prometheus text, counted by route template; optional token; can be off.
The in-process registry is shared by every test, so each test compares before and after."""

from __future__ import annotations

import re

import httpx

from tests.factories import Factory, assert_error, random_phone, with_settings


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
    template = {"method": "GET", "route": "/api/v1/plans/{planId}", "status": "404"}
    assert (
        sample(after, "fitcoach_http_requests_total", **template)
        - sample(before, "fitcoach_http_requests_total", **template)
        == 3
    )
    unmatched = {"route": "unmatched", "status": "404"}
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
