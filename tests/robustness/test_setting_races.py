"""Admins changing business settings at the same moment: every change is applied whole, the
final value is one that was sent, and the audit trail tells one story, each change starting from
the value the previous one left, so no change is recorded against a value it never saw."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
from fastapi import FastAPI

from tests.audit.trail import entries
from tests.factories import Account, Factory, with_settings
from tests.plans.payloads import create_plan
from tests.robustness.concurrency import at_once

pytestmark = with_settings(rate_limit_enabled=False, database_pool_size=30)
SETTINGS = "/api/v1/admin/settings"


async def _post(
    client: httpx.AsyncClient, admin: Account, path: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"{SETTINGS}/{path}", json=body, headers=admin.headers)


async def _current(client: httpx.AsyncClient, admin: Account) -> dict[str, Any]:
    response = await client.get(SETTINGS, headers=admin.headers)
    assert response.status_code == 200, response.text
    settings: dict[str, Any] = response.json()["data"]["settings"]
    return settings


async def _assert_one_chain_of_changes(
    app: FastAPI, action: str, sent: list[str], final: str
) -> None:
    """Applied one after another, the changes form a chain from unset to `final`: the values
    they started from are unset plus every value sent except the last one applied."""
    changes = [entry.changes["value"] for entry in await entries(app, action) if entry.changes]
    assert sorted(change["after"] for change in changes) == sorted(sent)
    started_from = Counter(change["before"] for change in changes)
    assert started_from == Counter([None, *(value for value in sent if value != final)])


async def test_concurrent_free_days_updates_apply_one_after_another(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    admins = [await factory.admin() for _ in range(3)]
    days = list(range(20, 32))
    responses = await at_once(
        [
            _post(client, admins[n % len(admins)], "free-days/default", {"days": value})
            for n, value in enumerate(days)
        ]
    )
    assert [response.status_code for response in responses] == [200] * len(days)
    final = (await _current(client, admins[0]))["DEFAULT_FREE_DAYS"]
    assert int(final) in days
    await _assert_one_chain_of_changes(
        app, "settings.free_days.updated", [str(value) for value in days], final
    )


async def test_concurrent_default_plan_updates_keep_both_defaults(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    admin = await factory.admin()
    training = [(await create_plan(client, admin, "training", items=[]))["id"] for _ in range(4)]
    diet = [(await create_plan(client, admin, "diet", items=[]))["id"] for _ in range(4)]
    responses = await at_once(
        [_post(client, admin, "training-plan/default", {"planId": plan}) for plan in training]
        + [_post(client, admin, "diet-plan/default", {"planId": plan}) for plan in diet]
    )
    assert [response.status_code for response in responses] == [200] * 8
    current = await _current(client, admin)
    assert current["DEFAULT_TRAINING_PLAN_ID"] in training
    assert current["DEFAULT_DIET_PLAN_ID"] in diet
    await _assert_one_chain_of_changes(
        app, "settings.default_training_plan.updated", training, current["DEFAULT_TRAINING_PLAN_ID"]
    )
    await _assert_one_chain_of_changes(
        app, "settings.default_diet_plan.updated", diet, current["DEFAULT_DIET_PLAN_ID"]
    )
