"""Saving automation rules through HTTP: the catalog read from the loaded event classes, CRUD
with its audit trail, and every rule fault a 422 naming its JSON path."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.models import AuditEntry
from tests.automations.events import WORKOUT, rule
from tests.factories import Account, Factory, assert_error

URL = "/api/v1/automations"


async def _audit(app: FastAPI, resource_id: str) -> list[AuditEntry]:
    async with app.state.sessionmaker() as session:
        return list(
            (
                await session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.resource_id == resource_id)
                    .order_by(AuditEntry.occurred_at, AuditEntry.action)
                )
            ).all()
        )


@pytest.fixture
async def admin(factory: Factory) -> Account:
    return await factory.admin()


async def test_the_catalog_lists_every_loaded_event_with_its_fields(
    client: httpx.AsyncClient, admin: Account
) -> None:
    response = await client.get(f"{URL}/catalog", headers=admin.headers)
    assert response.status_code == 200, response.text
    catalog = response.json()["data"]
    triggers = {item["event"]: item for item in catalog["triggers"]}
    workout = triggers[WORKOUT]
    assert workout["name"] == "WorkoutLogged"
    assert workout["hasCustomer"] is True
    fields = {field["name"]: field for field in workout["fields"]}
    assert fields["event.status"] == {
        "name": "event.status",
        "type": "string",
        "description": "status",
        "values": ["completed", "skipped"],
    }
    assert fields["event.minutes"]["type"] == "integer"
    assert fields["event.customerId"]["type"] == "uuid"
    assert fields["event.occurredAt"]["type"] == "datetime"
    assert fields["customer.tags"]["type"] == "list"
    restarted = triggers["tests.automations.server_restarted"]
    assert restarted["hasCustomer"] is False
    assert not any(field["name"].startswith("customer.") for field in restarted["fields"])
    assert {op["name"] for op in catalog["operators"]} >= {"eq", "in", "lt", "contains", "exists"}
    assert [action["type"] for action in catalog["actions"]] == [
        "notify",
        "tag",
        "task",
        "message",
        "promo",
        "webhook",
        "freeze",
    ]


async def test_create_answers_the_id_and_a_preview_and_is_audited(
    app: FastAPI, client: httpx.AsyncClient, admin: Account
) -> None:
    response = await client.post(URL, json=rule(), headers=admin.headers)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    automation_id = data["id"]
    assert response.headers["location"] == f"{URL}/{automation_id}"
    assert data["automation"]["status"] == "active"
    assert data["automation"]["actions"][0]["category"] == "training"
    assert data["preview"]["impact"]["eventsReplayed"] == 0
    assert data["preview"]["affected"] == []
    entries = await _audit(app, automation_id)
    assert [entry.action for entry in entries] == ["automation.created"]
    assert entries[0].actor_id == admin.id
    assert entries[0].changes is not None
    assert entries[0].changes["name"]["after"] == "Nudge after a skipped workout"


async def test_read_list_change_and_delete_each_audited(
    app: FastAPI, client: httpx.AsyncClient, admin: Account
) -> None:
    created = await client.post(URL, json=rule(status="draft"), headers=admin.headers)
    automation_id = created.json()["data"]["id"]
    await client.post(URL, json=rule(name="Another"), headers=admin.headers)

    one = await client.get(f"{URL}/{automation_id}", headers=admin.headers)
    assert one.status_code == 200
    assert one.json()["data"]["status"] == "draft"
    listed = await client.get(URL, params={"status": "draft"}, headers=admin.headers)
    assert [item["id"] for item in listed.json()["data"]["items"]] == [automation_id]
    assert listed.json()["data"]["pagination"]["total"] == 1

    changed = await client.patch(
        f"{URL}/{automation_id}",
        json={"status": "paused", "frequencyCap": {"maxRuns": 2, "perHours": 48}},
        headers=admin.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["frequencyCap"] == {"maxRuns": 2, "perHours": 48}
    cleared = await client.patch(
        f"{URL}/{automation_id}", json={"conditions": None}, headers=admin.headers
    )
    assert cleared.json()["data"]["conditions"] is None

    deleted = await client.delete(f"{URL}/{automation_id}", headers=admin.headers)
    assert deleted.status_code == 200
    missing = await client.get(f"{URL}/{automation_id}", headers=admin.headers)
    assert_error(missing, 404, "Automation not found", code="automation_not_found")

    entries = await _audit(app, automation_id)
    # The frozen clock stamps them alike: sorted by action.
    assert [entry.action for entry in entries] == [
        "automation.created",
        "automation.deleted",
        "automation.updated",
        "automation.updated",
    ]
    updates = [entry.changes for entry in entries if entry.action == "automation.updated"]
    assert {
        "frequencyCap": {
            "before": {"maxRuns": 1, "perHours": 24},
            "after": {"maxRuns": 2, "perHours": 48},
        },
        "status": {"before": "draft", "after": "paused"},
    } in updates
    assert entries[1].changes is not None
    assert entries[1].changes["name"]["before"] == "Nudge after a skipped workout"


async def test_staff_other_than_admins_and_customers_are_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach, customer = await factory.coach(), await factory.customer()
    for account in (coach, customer):
        response = await client.post(URL, json=rule(), headers=account.headers)
        assert_error(response, 403)
    assert_error(await client.get(URL), 401)


BAD_RULES: list[tuple[dict[str, Any], str]] = [
    ({"trigger": {"event": "tests.nothing_like_it"}}, "trigger.event"),
    ({"trigger": {"event": WORKOUT, "every": "day"}}, "trigger.every"),
    (
        {
            "conditions": {
                "all": [
                    {"field": "event.status", "op": "eq", "value": "skipped"},
                    {"field": "event.mood", "op": "eq", "value": "sad"},
                ]
            }
        },
        "conditions.all[1].field",
    ),
    ({"conditions": {"field": "event.minutes", "op": "like", "value": 3}}, "conditions.op"),
    (
        {"conditions": {"any": [{"not": {"field": "event.note", "op": "lt", "value": "a"}}]}},
        "conditions.any[0].not.op",
    ),
    (
        {"conditions": {"all": [{"field": "event.minutes", "op": "gt", "value": "ten"}]}},
        "conditions.all[0].value",
    ),
    (
        {"conditions": {"field": "event.status", "op": "in", "value": ["skipped", "lost"]}},
        "conditions.value[1]",
    ),
    (
        {"conditions": {"field": "event.occurredAt", "op": "gt", "value": {"daysAgo": 3}}},
        "conditions.value",
    ),
    ({"conditions": {"every": []}}, "conditions"),
    ({"actions": [{"type": "tag", "tag": "ok"}, {"type": "launch_rocket"}]}, "actions[1].type"),
    ({"actions": [{"type": "tag", "tag": "Not A Tag!"}]}, "actions[0].tag"),
    ({"actions": [{"type": "tag", "tag": "ok", "colour": "red"}]}, "actions[0].colour"),
    (
        {"actions": [{"type": "notify", "title": "Hi {{customer.nickname}}", "body": "x"}]},
        "actions[0].title",
    ),
    (
        {"actions": [{"type": "notify", "title": "Hi", "body": "x", "category": "spam"}]},
        "actions[0].category",
    ),
    ({"actions": [{"type": "task", "title": "Call", "dueInDays": 999}]}, "actions[0].dueInDays"),
    ({"actions": []}, "actions"),
    (
        {
            "trigger": {"event": "tests.automations.server_restarted"},
            "conditions": None,
            "actions": [{"type": "tag", "tag": "x"}],
        },
        "actions[0].type",
    ),
]


@pytest.mark.parametrize(("change", "path"), BAD_RULES)
async def test_a_rule_fault_is_a_422_naming_its_json_path(
    client: httpx.AsyncClient, admin: Account, change: dict[str, Any], path: str
) -> None:
    response = await client.post(URL, json=rule(**change), headers=admin.headers)
    assert_error(response, 422, code="invalid_rule")
    body = response.json()
    assert body["errors"][0]["field"] == path, body
    assert body["message"].startswith(f"{path}: ")


async def test_a_patch_is_validated_as_the_whole_rule_it_makes(
    client: httpx.AsyncClient, admin: Account
) -> None:
    created = await client.post(URL, json=rule(), headers=admin.headers)
    automation_id = created.json()["data"]["id"]
    response = await client.patch(
        f"{URL}/{automation_id}",
        json={"trigger": {"event": "tests.automations.server_restarted"}},
        headers=admin.headers,
    )
    # The saved conditions read event.status, which the new trigger does not have.
    assert_error(response, 422, code="invalid_rule")
    assert response.json()["errors"][0]["field"] == "conditions.all[0].field"
    unchanged = await client.get(f"{URL}/{automation_id}", headers=admin.headers)
    assert unchanged.json()["data"]["trigger"] == {"event": WORKOUT}
