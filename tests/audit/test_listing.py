"""GET /api/v1/audit-logs: admin only, filters, keyset pagination, and bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import insert, text

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.core.errors import Conflict
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.models import AuditEntry
from tests.audit.trail import entries
from tests.factories import Factory, assert_error
from tests.plans.payloads import create_plan

AUDIT = "/api/v1/audit-logs"
START = datetime(2026, 1, 1, tzinfo=UTC)
ACTORS = [uuid.UUID(int=n) for n in (1, 2, 3)]


async def seed(app: FastAPI, count: int) -> list[dict[str, object]]:
    """`count` entries one minute apart, cycling through actors, resource types and actions."""
    rows = [
        {
            "id": uuid.uuid4(),
            "occurred_at": START + timedelta(minutes=n),
            "actor_type": "user",
            "actor_id": ACTORS[n % 3],
            "actor_roles": "ADMIN",
            "action": ("plan.created", "user.blocked")[n % 2],
            "resource_type": ("plan", "user", "setting", "otp")[n % 4],
            "resource_id": str(n),
        }
        for n in range(count)
    ]
    async with app.state.sessionmaker() as session, session.begin():
        for start in range(0, count, 5000):
            await session.execute(insert(AuditEntry), rows[start : start + 5000])
    return rows


async def all_pages(
    client: httpx.AsyncClient, headers: dict[str, str], **params: object
) -> list[dict]:  # type: ignore[type-arg]
    items: list[dict] = []  # type: ignore[type-arg]
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(AUDIT, params=query, headers=headers)
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        items += data["items"]
        cursor = data["nextCursor"]
        if cursor is None:
            return items


async def test_only_admins_read_the_trail(client: httpx.AsyncClient, factory: Factory) -> None:
    assert_error(await client.get(AUDIT), 401)
    for account in (await factory.customer(), await factory.coach()):
        assert_error(
            await client.get(AUDIT, headers=account.headers),
            403,
            "You do not have permission to perform this action",
        )


async def test_there_is_no_way_to_change_the_trail(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await client.request(method, AUDIT, headers=admin.headers)
        assert_error(response, 405)


async def test_newest_first_across_pages(
    client: httpx.AsyncClient, app: FastAPI, factory: Factory
) -> None:
    admin = await factory.admin()
    rows = await seed(app, 25)
    items = await all_pages(client, admin.headers, limit=7, resourceType="plan")
    expected = sorted(
        (row for row in rows if row["resource_type"] == "plan"),
        key=lambda row: row["occurred_at"],
        reverse=True,
    )
    assert [item["resourceId"] for item in items] == [row["resource_id"] for row in expected]
    first = items[0]
    assert set(first) == {
        "id",
        "occurredAt",
        "actor",
        "action",
        "resourceType",
        "resourceId",
        "clientIp",
        "requestId",
        "changes",
        "details",
    }
    assert first["actor"] == {"type": "user", "id": str(ACTORS[24 % 3]), "roles": ["ADMIN"]}


@pytest.mark.parametrize(
    ("params", "matches"),
    [
        ({"actorId": str(ACTORS[1])}, lambda row: row["actor_id"] == ACTORS[1]),
        ({"resourceType": "setting"}, lambda row: row["resource_type"] == "setting"),
        ({"action": "user.blocked"}, lambda row: row["action"] == "user.blocked"),
        (
            {"dateRange": "2026-01-01T00:05:00Z/2026-01-01T00:12:00Z"},
            lambda row: (
                START + timedelta(minutes=5) <= row["occurred_at"] < START + timedelta(minutes=12)
            ),
        ),
        (
            {"dateRange": "2026-01-01T00:20:00/"},
            lambda row: row["occurred_at"] >= START + timedelta(minutes=20),
        ),
        (
            {"dateRange": "/2026-01-01T00:03:00+00:00"},
            lambda row: row["occurred_at"] < START + timedelta(minutes=3),
        ),
        (
            {
                "dateRange": "2026-01-01/2026-01-02",
                "actorId": str(ACTORS[0]),
                "action": "plan.created",
            },
            lambda row: row["actor_id"] == ACTORS[0] and row["action"] == "plan.created",
        ),
    ],
)
async def test_filters(
    client: httpx.AsyncClient, app: FastAPI, factory: Factory, params, matches
) -> None:  # type: ignore[no-untyped-def]
    admin = await factory.admin()
    rows = await seed(app, 30)
    items = await all_pages(client, admin.headers, limit=4, **params)
    expected = {row["resource_id"] for row in rows if matches(row)}
    assert expected
    assert {item["resourceId"] for item in items} == expected
    assert len(items) == len(expected)


@pytest.mark.parametrize(
    "params",
    [
        {"actorId": "not-a-uuid"},
        {"resourceType": "Robert'); DROP TABLE"},
        {"action": ""},
        {"dateRange": "yesterday"},
        {"dateRange": "2026-02-01/2026-01-01"},
        {"dateRange": "/"},
        {"dateRange": "2026-13-01/"},
        {"cursor": "bm90LWEtY3Vyc29y"},
        {"cursor": "!!!"},
        {"limit": 0},
        {"limit": 101},
    ],
)
async def test_bad_filters_are_422(
    client: httpx.AsyncClient, factory: Factory, params: dict[str, object]
) -> None:
    admin = await factory.admin()
    response = await client.get(AUDIT, params=params, headers=admin.headers)
    assert_error(response, 422)


async def test_a_failed_request_leaves_no_entry(client: httpx.AsyncClient, app: FastAPI) -> None:
    """A handler that records an entry and then fails, through the real unit of work."""

    async def writes_then_fails(session: DbSession, clock: ClockDep) -> None:
        audit_service.record(
            session, AuditEvent(action="test.written", resource_type="test"), clock.now()
        )
        await session.flush()
        raise Conflict("refused after writing")

    app.add_api_route("/test-only/writes-then-fails", writes_then_fails, methods=["POST"])
    response = await client.post("/test-only/writes-then-fails")
    assert_error(response, 409, "refused after writing")
    assert await entries(app) == []


async def test_an_unrecorded_change_gets_the_request_entry(
    client: httpx.AsyncClient, app: FastAPI, factory: Factory
) -> None:
    coach = await factory.coach()
    plan = await create_plan(client, coach)
    response = await client.patch(f"/api/v1/plans/{plan['id']}", json={}, headers=coach.headers)
    assert response.status_code == 200
    fallback = [entry for entry in await entries(app) if entry.action == "request.patch"]
    assert len(fallback) == 1
    assert fallback[0].resource_id == f"/api/v1/plans/{plan['id']}"
    assert fallback[0].actor_id == coach.id


@pytest.mark.postgres_only
async def test_ten_thousand_entries_page_by_cursor(
    client: httpx.AsyncClient, app: FastAPI, factory: Factory
) -> None:
    admin = await factory.admin()
    rows = await seed(app, 10_000)
    items = await all_pages(client, admin.headers, limit=100)
    assert len(items) == 10_000
    assert [item["resourceId"] for item in items] == [str(n) for n in reversed(range(10_000))]
    # A deep page seeks through the index instead of sorting or skipping rows.
    deep = rows[10]
    async with app.state.engine.connect() as connection:
        plan = "\n".join(
            row[0]
            for row in await connection.execute(
                text(
                    "EXPLAIN SELECT * FROM audit_log WHERE (occurred_at, id) < (:at, :id) "
                    "ORDER BY occurred_at DESC, id DESC LIMIT 51"
                ),
                {"at": deep["occurred_at"], "id": deep["id"]},
            )
        )
    assert "ix_audit_log_occurred_id" in plan, plan
    assert "Sort" not in plan, plan
