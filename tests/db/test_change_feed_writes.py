"""A request waits for the change feed's catch-up only when its commit wrote a table the feed
announces (db/cache/writes.py): the OTP cycle's send writes only its code and skips the round
trip, a block still reaches the next request. Observed as the database sees it: a listener of the
feed's channel counts the barriers the app sends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from fitcoach.db.cache.change_feed import CHANNEL, ChangeFeed
from fitcoach.db.cache.reads import declared_reads
from fitcoach.db.cache.writes import wrote_announced
from fitcoach.models import OtpCode, User
from tests.conftest import asyncpg_dsn
from tests.factories import Factory, assert_error

pytestmark = pytest.mark.postgres_only

ME = "/api/v1/auth/me"
SETTLE_SECONDS = 0.3


@pytest.fixture
async def barriers(database_url: str) -> AsyncIterator[list[str]]:
    """The barrier announcements the app sends while the test runs."""
    seen: list[str] = []
    connection = await asyncpg.connect(asyncpg_dsn(database_url))

    def heard(_connection: object, _pid: int, _channel: str, payload: object) -> None:
        if str(payload).startswith("barrier:"):
            seen.append(str(payload))

    await connection.add_listener(CHANNEL, heard)
    try:
        yield seen
    finally:
        await connection.close()


def _feed(app: FastAPI) -> ChangeFeed:
    feed: ChangeFeed | None = app.state.change_feed
    assert feed is not None
    return feed


async def test_the_announced_tables_are_the_cached_ones_and_those_cascading_into_them(
    app: FastAPI,
) -> None:
    tables = _feed(app).writes.tables
    assert tables is not None
    assert {table for read in declared_reads() for table in read.tables} <= tables
    # Nothing cached shows an OTP code or an audit entry; a customer's cached day shows their
    # logs, so a completion waits for the catch-up and its next read of today shows it.
    assert not {"otp_codes", "audit_log"} & tables
    assert "item_logs" in tables


async def test_a_session_knows_whether_it_wrote_an_announced_table(
    app: FastAPI, factory: Factory
) -> None:
    customer = await factory.customer()
    async with app.state.sessionmaker() as session:
        await session.execute(
            update(OtpCode).where(OtpCode.phone == "+201000000000").values(attempts=0)
        )
        await session.commit()
        assert not wrote_announced(session)
        await session.execute(update(User).where(User.id == customer.user_id).values(age=40))
        await session.commit()
        assert wrote_announced(session)
        assert not wrote_announced(session)  # asked once


async def test_only_a_write_to_a_cached_table_waits_for_the_feed(
    client: httpx.AsyncClient, factory: Factory, barriers: list[str]
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    await asyncio.sleep(SETTLE_SECONDS)
    barriers.clear()
    sent = await client.post("/api/v1/auth/otp/send", json={"phone": "+201099999999"})
    assert sent.status_code == 200, sent.text
    await asyncio.sleep(SETTLE_SECONDS)
    assert barriers == []

    assert (await client.get(ME, headers=customer.headers)).status_code == 200
    blocked = await client.post(
        f"/api/v1/admin/users/{customer.user_id}/block", headers=admin.headers
    )
    assert blocked.status_code == 200, blocked.text
    # The block acts on the very next request, as before.
    assert_error(await client.get(ME, headers=customer.headers), 403, "Account is blocked")
    await asyncio.sleep(SETTLE_SECONDS)
    assert len(barriers) == 1
