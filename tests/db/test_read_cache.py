"""Per-worker read caches and the change feed that keeps them exact (db/change_feed.py).

On PostgreSQL a safe request serves the caller, their subscriptions, the settings and the plans
from memory; every change, through the API or behind its back, reaches the caches before the
next request that could read it. On SQLite nothing is cached."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.engine import make_url

from fitcoach.db.cache.change_feed import FEED_APPLICATION_NAME, ChangeFeed
from fitcoach.db.cache.store import MISS, InvalidatedCache
from tests.catalog.payloads import list_products, post_review, published_product, titles
from tests.conftest import POSTGRES_URL, asyncpg_dsn, make_settings
from tests.factories import Factory, assert_error
from tests.plans.payloads import PLANS, create_plan, grant_paid, set_default_plan
from tests.standalone import standalone_app

ME = "/api/v1/auth/me"
USERS = "/api/v1/admin/users"

postgres_only = pytest.mark.postgres_only


@contextmanager
def statements_run(app: FastAPI) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the block runs."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def _get(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _feed(app: FastAPI) -> ChangeFeed:
    feed: ChangeFeed | None = app.state.change_feed
    assert feed is not None
    return feed


@postgres_only
async def test_a_repeated_read_sends_no_query(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    admin = await factory.admin()
    free, paid = await factory.customer(), await factory.customer()
    await set_default_plan(client, admin, "training", (await create_plan(client, admin))["id"])
    await grant_paid(client, admin, paid)
    await create_plan(client, admin, userId=paid.user_id)
    reads = [
        (ME, free.headers),
        (f"{PLANS}/training/{free.user_id}", free.headers),
        (f"{PLANS}/training/{paid.user_id}", paid.headers),
    ]
    first = [await _get(client, path, headers) for path, headers in reads]
    with statements_run(app) as statements:
        again = [await _get(client, path, headers) for path, headers in reads]
    assert statements == []
    assert again == first
    # Sessions made and left unused hold no connection after the request.
    assert app.state.engine.pool.checkedout() == 0


@postgres_only
async def test_changes_through_the_api_act_on_the_next_request(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    default = await create_plan(client, admin, name="Default one")
    await set_default_plan(client, admin, "training", default["id"])
    plan_path = f"{PLANS}/training/{customer.user_id}"
    assert (await _get(client, plan_path, customer.headers))["plan"]["name"] == "Default one"
    me = await _get(client, ME, customer.headers)
    assert me["subscriptionType"] == "free"

    # The default plan's content, then the setting naming another default.
    response = await client.patch(
        f"{PLANS}/{default['id']}", json={"name": "Renamed"}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert (await _get(client, plan_path, customer.headers))["plan"]["name"] == "Renamed"
    other = await create_plan(client, admin, name="Other default")
    await set_default_plan(client, admin, "training", other["id"])
    assert (await _get(client, plan_path, customer.headers))["plan"]["id"] == other["id"]

    # A paid subscription, then a custom plan for the customer.
    await grant_paid(client, admin, customer)
    assert (await _get(client, ME, customer.headers))["subscriptionType"] == "paid"
    assert (await _get(client, plan_path, customer.headers))["source"] == "default"
    custom = await create_plan(client, admin, name="Mine", userId=customer.user_id)
    shown = await _get(client, plan_path, customer.headers)
    assert (shown["source"], shown["plan"]["id"]) == ("custom", custom["id"])

    # The caller's own profile, then a block.
    response = await client.patch(
        f"/api/v1/customers/{customer.user_id}/profile",
        json={"weight": 81.5},
        headers=customer.headers,
    )
    assert response.status_code == 200, response.text
    assert (await _get(client, ME, customer.headers))["profile"]["weight"] == 81.5
    response = await client.post(f"{USERS}/{customer.user_id}/block", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert_error(await client.get(ME, headers=customer.headers), 403, "Account is blocked")


@postgres_only
async def test_a_change_behind_the_apps_back_reaches_the_cache(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI, database_url: str
) -> None:
    """An operator's UPDATE in psql is announced by the table's trigger like any other write."""
    customer = await factory.customer()
    assert (await _get(client, ME, customer.headers))["user"]["name"] != "Changed in psql"
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.execute(
            "UPDATE users SET name = 'Changed in psql' WHERE id = $1", customer.id
        )
    finally:
        await connection.close()
    await _feed(app).catch_up()
    assert (await _get(client, ME, customer.headers))["user"]["name"] == "Changed in psql"


@postgres_only
async def test_a_block_on_one_worker_reaches_the_others(
    client: httpx.AsyncClient,
    factory: Factory,
    app: FastAPI,
    database_url: str,
    tmp_path: Path,
    clock: Any,
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    settings = make_settings(database_url, tmp_path / "other")
    async with standalone_app(settings) as (other, other_client):
        other.state.clock = clock
        await _get(other_client, ME, customer.headers)
        with statements_run(other) as statements:
            await _get(other_client, ME, customer.headers)
        assert statements == [], "the other worker serves the caller from its cache"

        response = await client.post(f"{USERS}/{customer.user_id}/block", headers=admin.headers)
        assert response.status_code == 200, response.text
        # The announcement is on its way to the other worker; it has arrived once a marker sent
        # after it has.
        await _feed(other).catch_up()
        assert_error(await other_client.get(ME, headers=customer.headers), 403)


@postgres_only
async def test_caches_stop_serving_while_the_feed_is_lost(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI, database_url: str
) -> None:
    customer = await factory.customer()
    feed = _feed(app)
    await _get(client, ME, customer.headers)
    assert POSTGRES_URL
    admin_connection = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL.rstrip("/") + "/postgres"))
    try:
        ended = await admin_connection.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = $1 AND datname = $2",
            FEED_APPLICATION_NAME,
            make_url(database_url).database,
        )
    finally:
        await admin_connection.close()
    assert ended >= 1
    await _wait_for(lambda: not feed.live)

    # Lost: every read goes to the database.
    with statements_run(app) as statements:
        await _get(client, ME, customer.headers)
    assert statements != []

    # The feed reconnects by itself and the caches serve again.
    await _wait_for(lambda: feed.live, seconds=10)
    await _get(client, ME, customer.headers)
    with statements_run(app) as statements:
        await _get(client, ME, customer.headers)
    assert statements == []


async def _wait_for(condition: Any, seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - the feed's own task flips the flag
            await asyncio.sleep(0.02)


async def test_sqlite_caches_nothing(app: FastAPI) -> None:
    if POSTGRES_URL:
        pytest.skip("the PostgreSQL run has a feed")
    assert app.state.change_feed is None


@pytest.fixture
def cache() -> InvalidatedCache[str]:
    cache: InvalidatedCache[str] = InvalidatedCache("test", max_groups=3, ttl_seconds=60)
    cache.enabled = True
    return cache


def test_a_value_loaded_across_an_invalidation_is_not_kept(cache: InvalidatedCache[str]) -> None:
    ticket = cache.ticket()
    cache.invalidate("user-1")  # the row changed while the reader was loading it
    cache.put("user-1", "key", "stale", ticket)
    assert cache.get("user-1", "key") is MISS
    cache.put("user-1", "key", "fresh", cache.ticket())
    assert cache.get("user-1", "key") == "fresh"


def test_an_invalidation_of_another_group_does_not_stop_a_store(
    cache: InvalidatedCache[str],
) -> None:
    ticket = cache.ticket()
    cache.invalidate("user-2")
    cache.put("user-1", "key", "value", ticket)
    assert cache.get("user-1", "key") == "value"


def test_pruned_invalidation_history_refuses_older_loads(cache: InvalidatedCache[str]) -> None:
    ticket = cache.ticket()
    for number in range(4):  # more groups than the history keeps
        cache.invalidate(f"user-{number}")
    cache.put("user-9", "key", "value", ticket)
    assert cache.get("user-9", "key") is MISS


def test_a_disabled_cache_serves_and_keeps_nothing(cache: InvalidatedCache[str]) -> None:
    cache.put("user-1", "key", "value", cache.ticket())
    cache.enabled = False
    assert cache.get("user-1", "key") is MISS
    cache.put("user-2", "key", "value", cache.ticket())
    cache.enabled = True
    assert cache.get("user-2", "key") is MISS


def test_entries_expire(cache: InvalidatedCache[str]) -> None:
    now = [100.0]
    expiring: InvalidatedCache[str] = InvalidatedCache(
        "test", max_groups=3, ttl_seconds=5, monotonic=lambda: now[0]
    )
    expiring.enabled = True
    expiring.put("user-1", "key", "value", expiring.ticket())
    now[0] += 4.9
    assert expiring.get("user-1", "key") == "value"
    now[0] += 0.2
    assert expiring.get("user-1", "key") is MISS


def test_a_group_keeps_its_newest_keys_up_to_its_bound() -> None:
    bounded: InvalidatedCache[str] = InvalidatedCache(
        "test", max_groups=3, ttl_seconds=60, max_keys_per_group=2
    )
    bounded.enabled = True
    for page in (1, 2, 3):
        bounded.put("coach-1", page, f"page {page}", bounded.ticket())
    assert [bounded.get("coach-1", page) for page in (1, 2, 3)] == [MISS, "page 2", "page 3"]
    bounded.put("coach-1", 3, "page 3 again", bounded.ticket())  # a key it holds: none goes
    assert bounded.get("coach-1", 2) == "page 2"


def test_everything_goes_on_a_truncate(cache: InvalidatedCache[str]) -> None:
    cache.put("user-1", "key", "value", cache.ticket())
    cache.invalidate("*")
    assert cache.get("user-1", "key") is MISS


@postgres_only
async def test_catalog_pages_are_cached_until_the_catalog_changes(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI, database_url: str
) -> None:
    coach, shopper, reviewer = (
        await factory.coach(),
        await factory.customer(),
        await factory.customer(),
    )
    first = await published_product(client, coach, title="First")
    page = await list_products(client, shopper)
    with statements_run(app) as statements:
        assert await list_products(client, shopper) == page
    assert statements == []

    # Through the API: a review moves the product's and the coach's rating; a new product shows.
    await post_review(client, reviewer, first["id"], 4, "Good")
    page = await list_products(client, shopper)
    assert page["items"][0]["rating"] == {"average": 4.0, "count": 1}
    assert page["items"][0]["coach"]["ratingCount"] == 1
    await published_product(client, coach, title="Second")
    assert sorted(titles(await list_products(client, shopper))) == ["First", "Second"]

    # Behind the API's back: the coach renamed in psql.
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.execute("UPDATE users SET name = 'Renamed Coach' WHERE id = $1", coach.id)
    finally:
        await connection.close()
    await _feed(app).catch_up()
    page = await list_products(client, shopper)
    assert {item["coach"]["name"] for item in page["items"]} == {"Renamed Coach"}
