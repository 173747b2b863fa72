"""Partners' API keys: issued by admins and shown once, stored only as a keyed hash, listed
without secrets, accepted only where their scopes allow, rotated with an overlap window,
revoked, rate limited per key (across workers), and "last used" written at most once a minute."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from fitcoach.app import create_app
from fitcoach.core.clock import FrozenClock
from fitcoach.models import ApiKey, AuditEntry
from tests.conftest import REDIS_URL, make_settings
from tests.db.test_read_cache import statements_run
from tests.factories import Account, Factory, assert_error
from tests.integrations.api_keys import API_KEYS, issue_key, keyed


async def _stored(app: FastAPI) -> list[ApiKey]:
    async with app.state.sessionmaker() as session:
        return list((await session.execute(select(ApiKey))).scalars())


async def _profile(client: httpx.AsyncClient, customer: Account, key: str) -> httpx.Response:
    return await client.get(f"/api/v1/customers/{customer.user_id}/profile", headers=keyed(key))


async def test_an_admin_issues_a_key_shown_once_and_stored_only_as_a_hash(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(name="Ada Admin")
    issued = await issue_key(client, admin, scopes=("customers:read", "analytics:read"))

    key: str = issued["key"]
    assert key.startswith(issued["prefix"] + "_")
    assert issued["prefix"].startswith("fck_")
    # 32 random bytes, base64url without padding.
    assert len(key.removeprefix(issued["prefix"] + "_")) == 43
    assert issued["scopes"] == ["customers:read", "analytics:read"]
    assert issued["rateLimit"] == 100
    assert issued["status"] == "active"
    assert issued["createdBy"] == admin.user_id
    assert issued["createdByName"] == "Ada Admin"
    [row] = await _stored(app)
    secret = key.removeprefix(issued["prefix"] + "_")
    assert secret not in repr([getattr(row, column.key) for column in ApiKey.__table__.columns])
    assert row.secret_hash != secret

    listed = await client.get(API_KEYS, headers=admin.headers)
    assert listed.status_code == 200, listed.text
    [entry] = listed.json()["data"]["items"]
    assert "key" not in entry
    assert secret not in listed.text
    assert entry["prefix"] == issued["prefix"]
    assert entry["createdByName"] == "Ada Admin"
    assert entry["lastUsedAt"] is None

    async with app.state.sessionmaker() as session:
        [audit] = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "api_key.created"))
        ).scalars()
    assert audit.resource_id == issued["id"]
    assert secret not in repr(audit.details)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "rateLimit": 10, "scopes": ["everything"]}, "scopes"),
        ({"name": "x", "rateLimit": 10, "scopes": []}, "scopes"),
        ({"name": "x", "rateLimit": 0, "scopes": ["customers:read"]}, "rateLimit"),
        ({"name": " ", "rateLimit": 10, "scopes": ["customers:read"]}, "name"),
    ],
)
async def test_a_bad_key_request_names_its_field(
    client: httpx.AsyncClient, factory: Factory, body: dict[str, Any], field: str
) -> None:
    admin = await factory.admin()
    response = await client.post(API_KEYS, json=body, headers=admin.headers)
    assert_error(response, 422, code="validation_failed")
    assert field in response.text


async def test_only_admins_manage_keys(client: httpx.AsyncClient, factory: Factory) -> None:
    coach = await factory.coach()
    body = {"name": "x", "rateLimit": 10, "scopes": ["customers:read"]}
    assert_error(await client.post(API_KEYS, json=body, headers=coach.headers), 403)
    assert_error(await client.get(API_KEYS, headers=coach.headers), 403)


async def test_a_key_reads_where_its_scope_allows_and_is_refused_everywhere_else(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.first_questionnaire()
    admin, customer = await factory.admin(), await factory.customer(name="Dina")
    reader = (await issue_key(client, admin))["key"]
    analyst = (await issue_key(client, admin, scopes=("analytics:read",)))["key"]

    response = await _profile(client, customer, reader)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["demographics"]["name"] == "Dina"
    assert response.headers["RateLimit-Limit"] == "100"
    assert response.headers["RateLimit-Remaining"] == "99"

    assert_error(await _profile(client, customer, analyst), 403, code="api_key_scope_missing")
    # Every other endpoint refuses a key, whatever its scopes, reads and writes alike.
    assert_error(
        await client.get(API_KEYS, headers=keyed(reader)), 403, code="api_key_not_accepted"
    )
    assert_error(
        await client.get("/api/v1/auth/me", headers=keyed(reader)),
        403,
        code="api_key_not_accepted",
    )
    forged = reader[:-4] + ("AAAA" if not reader.endswith("AAAA") else "BBBB")
    assert_error(await _profile(client, customer, forged), 401, code="invalid_api_key")
    assert_error(await _profile(client, customer, "fck_nothing"), 401, code="invalid_api_key")


async def test_a_revoked_key_is_refused_from_the_next_request(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.first_questionnaire()
    admin, customer = await factory.admin(), await factory.customer()
    issued = await issue_key(client, admin)
    assert (await _profile(client, customer, issued["key"])).status_code == 200

    revoked = await client.post(f"{API_KEYS}/{issued['id']}/revoke", headers=admin.headers)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["data"]["status"] == "revoked"
    assert_error(await _profile(client, customer, issued["key"]), 401, code="invalid_api_key")
    again = await client.post(f"{API_KEYS}/{issued['id']}/revoke", headers=admin.headers)
    assert_error(again, 409, code="api_key_revoked")
    rotate = await client.post(f"{API_KEYS}/{issued['id']}/rotate", headers=admin.headers)
    assert_error(rotate, 409, code="api_key_revoked")
    unknown = await client.post(
        f"{API_KEYS}/00000000-0000-4000-8000-000000000000/revoke", headers=admin.headers
    )
    assert_error(unknown, 404, code="api_key_not_found")


@pytest.mark.postgres_only
async def test_a_keys_row_is_read_once_between_its_changes(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    """On PostgreSQL each worker keeps the key (by its prefix) until the change feed says its
    row changed: a read with a key costs what a read with an access token does, and a
    revocation behind the app's back still acts on the next request."""
    await factory.first_questionnaire()
    admin, customer = await factory.admin(), await factory.customer()
    issued = await issue_key(client, admin)
    # The first use writes "last used", whose change drops the key once; the next read keeps it.
    for _ in range(2):
        assert (await _profile(client, customer, issued["key"])).status_code == 200
        await app.state.change_feed.catch_up()
    with statements_run(app) as statements:
        assert (await _profile(client, customer, issued["key"])).status_code == 200
    assert [one for one in statements if "api_keys" in one] == []

    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(
            update(ApiKey).where(ApiKey.prefix == issued["prefix"]).values(revoked_at=func.now())
        )
    await app.state.change_feed.catch_up()
    assert_error(await _profile(client, customer, issued["key"]), 401, code="invalid_api_key")


async def test_a_rotation_keeps_the_old_secret_working_for_the_overlap_only(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    await factory.first_questionnaire()
    admin, customer = await factory.admin(), await factory.customer()
    issued = await issue_key(client, admin)
    old = issued["key"]

    rotated = await client.post(
        f"{API_KEYS}/{issued['id']}/rotate", json={"overlapMinutes": 10}, headers=admin.headers
    )
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["data"]["key"]
    assert new != old
    assert rotated.json()["data"]["prefix"] == issued["prefix"]
    assert (await _profile(client, customer, old)).status_code == 200
    assert (await _profile(client, customer, new)).status_code == 200

    clock.advance(minutes=10)
    assert_error(await _profile(client, customer, old), 401, code="invalid_api_key")
    assert (await _profile(client, customer, new)).status_code == 200

    # Without an overlap, the replaced secret stops at once.
    newest = await client.post(
        f"{API_KEYS}/{issued['id']}/rotate", json={"overlapMinutes": 0}, headers=admin.headers
    )
    assert newest.status_code == 200, newest.text
    assert_error(await _profile(client, customer, new), 401, code="invalid_api_key")
    assert (await _profile(client, customer, newest.json()["data"]["key"])).status_code == 200


async def test_last_used_is_written_at_most_once_a_minute(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    await factory.first_questionnaire()
    admin, customer = await factory.admin(), await factory.customer()
    key = (await issue_key(client, admin))["key"]
    first_use = clock.now()

    assert (await _profile(client, customer, key)).status_code == 200
    [row] = await _stored(app)
    assert row.last_used_at == first_use
    written_at = row.updated_at
    clock.advance(seconds=30)
    for _ in range(3):
        assert (await _profile(client, customer, key)).status_code == 200
    [row] = await _stored(app)
    assert (row.last_used_at, row.updated_at) == (first_use, written_at)

    clock.advance(seconds=31)
    assert (await _profile(client, customer, key)).status_code == 200
    [row] = await _stored(app)
    assert row.last_used_at == clock.now()
    listed = await client.get(API_KEYS, headers=admin.headers)
    assert listed.json()["data"]["items"][0]["lastUsedAt"] is not None


async def test_a_key_over_its_rate_limit_gets_429_with_its_budget(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.first_questionnaire()
    admin, customer = await factory.admin(), await factory.customer()
    limited = (await issue_key(client, admin, rate_limit=2))["key"]
    other = (await issue_key(client, admin, rate_limit=2))["key"]

    for remaining in ("1", "0"):
        response = await _profile(client, customer, limited)
        assert response.headers["RateLimit-Remaining"] == remaining
    refused = await _profile(client, customer, limited)
    assert_error(refused, 429, code="rate_limited")
    assert refused.headers["RateLimit-Limit"] == "2"
    assert int(refused.headers["Retry-After"]) >= 1
    # Each key has its own budget.
    assert (await _profile(client, customer, other)).status_code == 200


@pytest.mark.skipif(not REDIS_URL, reason="needs FITCOACH_TEST_REDIS_URL")
async def test_the_limit_holds_across_two_workers(
    app: FastAPI,
    client: httpx.AsyncClient,
    factory: Factory,
    database_url: str,
    tmp_path: Path,
    clock: FrozenClock,
) -> None:
    await factory.first_questionnaire()
    admin, customer = await factory.admin(), await factory.customer()
    key = (await issue_key(client, admin, rate_limit=5))["key"]
    other = create_app(
        make_settings(
            database_url,
            tmp_path,
            rate_limit_key_prefix=app.state.settings.rate_limit_key_prefix,
        ),
        clock=clock,
    )
    async with (
        other.router.lifespan_context(other),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=other), base_url="http://test"
        ) as other_client,
    ):
        answers = await asyncio.gather(
            *(_profile(worker, customer, key) for worker in (client, other_client) * 4)
        )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * 5 + [429] * 3
