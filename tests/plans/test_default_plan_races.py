"""A plan being made the default while it is deleted: exactly one wins, and the default never
names a deleted plan. On PostgreSQL the plan's row lock decides; on SQLite writers queue."""

from __future__ import annotations

from collections import Counter

import httpx

from tests.factories import Factory, with_settings
from tests.plans.payloads import PLANS, create_plan
from tests.robustness.concurrency import at_once

pytestmark = with_settings(rate_limit_enabled=False, database_pool_size=30)
DEFAULT_IS_SET = (200, 409)
PLAN_IS_DELETED = (404, 200)


async def test_default_and_delete_of_one_plan_never_both_succeed(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    outcomes: Counter[tuple[int, int]] = Counter()
    for _ in range(10):
        plan = await create_plan(client, admin, "diet", items=[])
        made_default, deleted = await at_once(
            [
                client.post(
                    "/api/v1/admin/settings/diet-plan/default",
                    json={"planId": plan["id"]},
                    headers=admin.headers,
                ),
                client.delete(f"{PLANS}/{plan['id']}", headers=admin.headers),
            ]
        )
        outcome = (made_default.status_code, deleted.status_code)
        assert outcome in {DEFAULT_IS_SET, PLAN_IS_DELETED}, (made_default.text, deleted.text)
        outcomes[outcome] += 1

        settings = await client.get("/api/v1/admin/settings", headers=admin.headers)
        default_id = settings.json()["data"]["settings"]["DEFAULT_DIET_PLAN_ID"]
        if default_id is not None:
            still_there = await client.get(f"{PLANS}/{default_id}", headers=admin.headers)
            assert still_there.status_code == 200
    assert sum(outcomes.values()) == 10
