"""Readiness follows the database: 503 while it is unreachable, 200 again once it is back,
without restarting the app (PostgreSQL behind a proxy the test cuts)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import make_settings
from tests.factories import assert_error
from tests.standalone import standalone_app
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres_only


def through(proxy: TcpProxy, database_url: str) -> str:
    parts = urlsplit(database_url)
    netloc = (
        f"{parts.username}@127.0.0.1:{proxy.port}" if parts.username else f"127.0.0.1:{proxy.port}"
    )
    return urlunsplit(parts._replace(netloc=netloc))


async def test_readiness_turns_503_and_back(database_url: str, tmp_path: Path) -> None:
    parts = urlsplit(database_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    settings = make_settings(
        through(proxy, database_url), tmp_path, redis_url=None, database_pool_timeout_seconds=1
    )
    async with standalone_app(settings) as (_, client):
        assert (await client.get("/api/v1/health/ready")).status_code == 200

        await proxy.cut()
        down = await client.get("/api/v1/health/ready")
        assert_error(down, 503, "Not ready: a dependency is unavailable")
        assert down.headers["Retry-After"] == "5"
        assert (await client.get("/api/v1/health/live")).status_code == 200

        await proxy.start()
        assert (await client.get("/api/v1/health/ready")).status_code == 200
