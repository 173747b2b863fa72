"""A real deadlock on PostgreSQL: the request is replayed and succeeds, or, with replays turned
off, is answered a clean 503 with Retry-After, never a 500.

The test's own connection holds the target's subscription row, waits until the request (which
locks the user row first) is blocked on it, then asks for the user row: a lock cycle that
PostgreSQL breaks by aborting the request's transaction, whose deadlock_timeout fires first."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.models import Subscription
from tests.audit.trail import entries
from tests.conftest import asyncpg_dsn
from tests.factories import Account, Factory, assert_error, with_settings

pytestmark = pytest.mark.postgres_only
USER_FREE_DAYS = "/api/v1/admin/settings/user/free-days"
WAIT_FOR_BLOCKED_SECONDS = 10


async def _free_days(app: FastAPI, account: Account) -> list[int]:
    async with app.state.sessionmaker() as session:
        days = await session.scalars(
            select(Subscription.days).where(Subscription.user_id == account.id)
        )
        return list(days)


async def _blocked_backends(observer: asyncpg.Connection, holder_pid: int) -> int:
    count: int = await observer.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> $1",
        holder_pid,
    )
    return count


async def _deadlock_the_request(
    database_url: str, client: httpx.AsyncClient, admin: Account, customer: Account
) -> httpx.Response:
    holder = await asyncpg.connect(asyncpg_dsn(database_url))
    observer = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        transaction = holder.transaction()
        await transaction.start()
        # This side must never be the one PostgreSQL picks to abort.
        await holder.execute("SET LOCAL deadlock_timeout = '60s'")
        await holder.execute(
            "SELECT 1 FROM subscriptions WHERE user_id = $1 FOR UPDATE", customer.id
        )
        request = asyncio.create_task(
            client.post(
                USER_FREE_DAYS,
                json={"userId": customer.user_id, "freeDays": 21},
                headers=admin.headers,
            )
        )
        deadline = time.monotonic() + WAIT_FOR_BLOCKED_SECONDS
        while not await _blocked_backends(observer, holder.get_server_pid()):
            assert time.monotonic() < deadline, "the request never blocked on the row"
            assert not request.done(), request.result().text
            await asyncio.sleep(0.02)
        # Closes the cycle; returns once PostgreSQL has aborted the request's transaction.
        await holder.execute("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", customer.id)
        await transaction.rollback()
        return await request
    finally:
        await holder.close()
        await observer.close()


async def test_a_deadlocked_request_is_replayed_and_succeeds(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI, database_url: str
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    response = await _deadlock_the_request(database_url, client, admin, customer)
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "User free days updated successfully"
    # The aborted attempt left nothing behind: one change, one audit entry.
    assert len(await entries(app, "subscription.free_days.updated")) == 1
    assert await _free_days(app, customer) == [21]


@with_settings(database_conflict_retries=0)
async def test_without_replays_a_deadlock_is_a_clean_503(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI, database_url: str
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    response = await _deadlock_the_request(database_url, client, admin, customer)
    assert_error(response, 503, "The request conflicted with a concurrent change, please retry")
    assert response.headers["Retry-After"] == "1"
    assert await entries(app, "subscription.free_days.updated") == []
    assert await _free_days(app, customer) == [7]
