"""PostgreSQL drops away in the middle of a burst of writes, refusing connections (a proxy in
front of it is cut) or answering nothing (the proxy stalls, as in a network partition):
every request is answered 503 in the error envelope with Retry-After within the pool timeout,
none is a 500 and none hangs; readiness says 503; once the proxy is back, requests succeed again
within seconds in the same app, and every write acknowledged with a 2xx is in the database."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import asyncpg_dsn, make_settings
from tests.db.test_readiness_recovery import through
from tests.factories import assert_error, random_phone
from tests.standalone import standalone_app
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres_only, pytest.mark.faults]
POOL_TIMEOUT_SECONDS = 1.0
COMMAND_TIMEOUT_SECONDS = 0.5
# The worst case of a partition: the wait for a pooled connection, its ping, then a new
# connection attempt each run into their timeout. A request whose commit got through then runs
# the SMS job it handed out (no worker loops run here), whose own statements can meet the same
# worst case; plus a second of slack for a busy machine.
_ONE_TRANSACTION_SECONDS = 2 * POOL_TIMEOUT_SECONDS + COMMAND_TIMEOUT_SECONDS
ANSWER_WITHIN_SECONDS = 2 * _ONE_TRANSACTION_SECONDS + 1
CONCURRENT_CLIENTS = 16
HEALTHY_SECONDS = 0.5
OUTAGE_SECONDS = 2.0
RECOVERY_SECONDS = 5.0
SEND = "/api/v1/auth/otp/send"
# How the database goes away, and how it comes back.
OUTAGES = {
    "refused": (TcpProxy.cut, TcpProxy.start),
    "stalled": (TcpProxy.stall, TcpProxy.resume),
}


@dataclass(frozen=True)
class Sent:
    phone: str
    response: httpx.Response
    seconds: float
    started: float


class Burst:
    """Clients that each send one OTP request after another until told to stop."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.sent: list[Sent] = []
        self.hung = 0
        self._stopping = asyncio.Event()
        self._tasks = [asyncio.create_task(self._run()) for _ in range(CONCURRENT_CLIENTS)]

    async def _run(self) -> None:
        while not self._stopping.is_set():
            phone = random_phone()
            started = time.monotonic()
            try:
                response = await asyncio.wait_for(
                    self.client.post(SEND, json={"phone": phone}), timeout=3 * ANSWER_WITHIN_SECONDS
                )
            except TimeoutError:
                self.hung += 1
                continue
            self.sent.append(Sent(phone, response, time.monotonic() - started, started))

    def succeeded_since(self, moment: float) -> bool:
        return any(s.response.status_code == 200 and s.started >= moment for s in self.sent)

    async def stop(self) -> None:
        self._stopping.set()
        await asyncio.gather(*self._tasks)


async def _stored_phones(database_url: str, phones: list[str]) -> set[str]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT DISTINCT phone FROM otp_codes WHERE phone = ANY($1::text[])", phones
        )
    finally:
        await connection.close()
    return {row["phone"] for row in rows}


@pytest.mark.parametrize("outage", list(OUTAGES))
async def test_an_outage_mid_burst_is_503_then_recovers_without_losing_writes(
    app: FastAPI, database_url: str, tmp_path: Path, outage: str
) -> None:
    # `app` is requested for its teardown, which empties the tables this test writes to.
    target = urlsplit(database_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.start()
    settings = make_settings(
        through(proxy, database_url),
        tmp_path,
        redis_url=None,
        rate_limit_enabled=False,
        database_pool_size=4,
        database_pool_timeout_seconds=POOL_TIMEOUT_SECONDS,
        database_command_timeout_seconds=COMMAND_TIMEOUT_SECONDS,
    )
    async with standalone_app(settings) as (_, client):
        burst = Burst(client)
        await asyncio.sleep(HEALTHY_SECONDS)
        go_away, come_back = OUTAGES[outage]
        await go_away(proxy)
        cut_at = time.monotonic()
        await asyncio.sleep(OUTAGE_SECONDS)
        ready = await client.get("/api/v1/health/ready")
        assert_error(ready, 503, "Not ready: a dependency is unavailable")

        await come_back(proxy)
        restored_at = time.monotonic()
        while not burst.succeeded_since(restored_at):
            assert time.monotonic() - restored_at < RECOVERY_SECONDS, "no recovery in time"
            await asyncio.sleep(0.1)
        await burst.stop()
        assert (await client.get("/api/v1/health/ready")).status_code == 200

    assert burst.hung == 0
    # Answered while the database was away; a request sent then may still succeed once it is back.
    during_outage = [
        s for s in burst.sent if s.started > cut_at and s.started + s.seconds < restored_at
    ]
    assert during_outage, "no request was sent while the database was away"
    for sent in burst.sent:
        assert sent.seconds < ANSWER_WITHIN_SECONDS, (sent.seconds, sent.response.text)
        if sent.response.status_code != 200:
            assert_error(
                sent.response, 503, "Service temporarily unavailable, please retry shortly"
            )
            assert int(sent.response.headers["Retry-After"]) > 0
    assert {s.response.status_code for s in during_outage} == {503}

    acknowledged = [s.phone for s in burst.sent if s.response.status_code == 200]
    assert set(acknowledged) <= await _stored_phones(database_url, acknowledged)
