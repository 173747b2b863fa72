"""Redis holds the rate-limit counters; when it becomes unreachable the rate-limited auth routes
fail closed (503, and no SMS leaves) instead of running unlimited, while every other route keeps
serving. Once Redis is back, the limited routes work again in the same app."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from fastapi import FastAPI

from fitcoach.auth.otp.providers import OutboxSmsProvider
from tests.conftest import REDIS_URL, make_settings
from tests.factories import Factory, assert_error, random_phone
from tests.standalone import standalone_app
from tests.tcp_proxy import TcpProxy

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not REDIS_URL, reason="needs FITCOACH_TEST_REDIS_URL"),
]
LIMITED_ROUTES = [
    ("/api/v1/auth/otp/send", lambda: {"phone": random_phone()}),
    ("/api/v1/otp/send", lambda: {"phone": random_phone()}),
    ("/api/v1/auth/forgot-password", lambda: {"phone": random_phone()}),
    ("/api/v1/auth/otp/login", lambda: {"phone": random_phone(), "otp": "123456"}),
    ("/api/v1/otp/verify", lambda: {"phone": random_phone(), "otp": "123456"}),
]


def _through(proxy: TcpProxy, redis_url: str) -> str:
    return urlunsplit(urlsplit(redis_url)._replace(netloc=f"127.0.0.1:{proxy.port}"))


async def test_unreachable_redis_fails_closed_and_other_routes_serve(
    app: FastAPI, database_url: str, tmp_path: Path
) -> None:
    # `app` is requested for its teardown, which empties the tables this test writes to.
    assert REDIS_URL
    target = urlsplit(REDIS_URL)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 6379)
    await proxy.start()
    settings = make_settings(database_url, tmp_path, redis_url=_through(proxy, REDIS_URL))
    async with standalone_app(settings) as (standalone, client):
        outbox: OutboxSmsProvider = standalone.state.sms_provider
        customer = await Factory(standalone, client).customer()
        sent = await client.post("/api/v1/auth/otp/send", json={"phone": random_phone()})
        assert sent.status_code == 200, sent.text
        assert len(outbox.messages) == 1

        await proxy.cut()
        for path, body in LIMITED_ROUTES:
            refused = await client.post(path, json=body())
            assert_error(refused, 503, "Rate limiting is unavailable, please retry shortly")
            assert int(refused.headers["Retry-After"]) > 0
        assert len(outbox.messages) == 1, "an SMS left while its rate limit was unknown"
        me = await client.get("/api/v1/auth/me", headers=customer.headers)
        assert me.status_code == 200, me.text
        assert (await client.get("/api/v1/health/live")).status_code == 200
        assert (await client.get("/api/v1/health/ready")).status_code == 503

        await proxy.start()
        again = await client.post("/api/v1/auth/otp/send", json={"phone": random_phone()})
        assert again.status_code == 200, again.text
        assert len(outbox.messages) == 2
