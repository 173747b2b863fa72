"""Listing plans: who sees which, filters, sorting and pagination, summaries without items."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fitcoach.core.clock import FrozenClock
from tests.factories import Account, Factory, assert_error
from tests.plans.payloads import PLANS, create_plan, diet_item, training_item


async def _list(client: httpx.AsyncClient, reader: Account, **params: Any) -> dict[str, Any]:
    response = await client.get(PLANS, params=params, headers=reader.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "success"
    data: dict[str, Any] = response.json()["data"]
    return data


def _names(page: dict[str, Any]) -> list[str]:
    return [plan["name"] for plan in page["items"]]


async def test_admin_sees_every_plan_and_coaches_templates_and_their_customers(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin = await factory.admin()
    coach, other_coach = await factory.coach(), await factory.coach()
    customer = await factory.customer()
    await create_plan(client, admin, name="Admin template")
    clock.advance(seconds=1)
    await create_plan(client, other_coach, name="Other template")
    clock.advance(seconds=1)
    await factory.assign_coach(other_coach, customer)
    await create_plan(client, other_coach, "diet", name="Other custom", userId=customer.user_id)
    clock.advance(seconds=1)
    # Written while assigned; once unassigned, the coach no longer lists it: it is the customer's.
    await factory.assign_coach(coach, customer)
    await create_plan(client, coach, "diet", name="Own custom", userId=customer.user_id)
    await factory.unassign_coach(coach, customer)

    assert _names(await _list(client, admin)) == [
        "Own custom",
        "Other custom",
        "Other template",
        "Admin template",
    ]
    assert _names(await _list(client, coach)) == ["Other template", "Admin template"]
    assert _names(await _list(client, other_coach)) == [
        "Own custom",
        "Other custom",
        "Other template",
        "Admin template",
    ]


async def test_summaries_have_an_item_count_but_no_items(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach = await factory.coach()
    customer = await factory.customer()
    await factory.assign_coach(coach, customer)
    created = await create_plan(
        client,
        coach,
        "diet",
        userId=customer.user_id,
        items=[diet_item(day=day) for day in (1, 2, 3)],
    )
    await create_plan(client, coach, items=[])
    page = await _list(client, coach, type="diet")
    [summary] = page["items"]
    assert summary == {
        "id": created["id"],
        "type": "diet",
        "name": created["name"],
        "description": created["description"],
        "userId": customer.user_id,
        "authorId": coach.user_id,
        "isTemplate": False,
        "itemCount": 3,
        "createdAt": created["createdAt"],
        "updatedAt": created["updatedAt"],
    }
    [empty] = (await _list(client, coach, type="training"))["items"]
    assert empty["itemCount"] == 0


async def test_filters(client: httpx.AsyncClient, factory: Factory, clock: FrozenClock) -> None:
    admin = await factory.admin()
    customer, other_customer = await factory.customer(), await factory.customer()
    await create_plan(client, admin, "training", name="T template")
    clock.advance(seconds=1)
    await create_plan(client, admin, "diet", name="D template")
    clock.advance(seconds=1)
    await create_plan(client, admin, "training", name="T custom", userId=customer.user_id)
    clock.advance(seconds=1)
    await create_plan(client, admin, "diet", name="D custom", userId=other_customer.user_id)

    assert _names(await _list(client, admin, type="training")) == ["T custom", "T template"]
    assert _names(await _list(client, admin, template="true")) == ["D template", "T template"]
    assert _names(await _list(client, admin, template="false")) == ["D custom", "T custom"]
    assert _names(await _list(client, admin, userId=customer.user_id)) == ["T custom"]
    assert _names(await _list(client, admin, type="diet", template="false")) == ["D custom"]
    assert _names(await _list(client, admin, type="diet", userId=customer.user_id)) == []


async def test_sorting(client: httpx.AsyncClient, factory: Factory, clock: FrozenClock) -> None:
    coach = await factory.coach()
    for name in ("Bravo", "Charlie", "Alpha"):
        await create_plan(client, coach, name=name)
        clock.advance(seconds=1)

    assert _names(await _list(client, coach)) == ["Alpha", "Charlie", "Bravo"]
    assert _names(await _list(client, coach, sort="-createdAt")) == ["Alpha", "Charlie", "Bravo"]
    assert _names(await _list(client, coach, sort="createdAt")) == ["Bravo", "Charlie", "Alpha"]
    assert _names(await _list(client, coach, sort="name")) == ["Alpha", "Bravo", "Charlie"]
    assert _names(await _list(client, coach, sort="-name")) == ["Charlie", "Bravo", "Alpha"]


async def test_pagination(client: httpx.AsyncClient, factory: Factory, clock: FrozenClock) -> None:
    coach = await factory.coach()
    for number in range(5):
        await create_plan(client, coach, name=f"Plan {number}", items=[training_item()])
        clock.advance(seconds=1)

    first = await _list(client, coach, page=1, pageSize=2, sort="name")
    assert _names(first) == ["Plan 0", "Plan 1"]
    assert first["pagination"] == {
        "page": 1,
        "pageSize": 2,
        "total": 5,
        "totalPages": 3,
        "totalIsExact": True,
    }
    last = await _list(client, coach, page=3, pageSize=2, sort="name")
    assert _names(last) == ["Plan 4"]
    beyond = await _list(client, coach, page=4, pageSize=2)
    assert beyond["items"] == []
    assert beyond["pagination"] == {
        "page": 4,
        "pageSize": 2,
        "total": 5,
        "totalPages": 3,
        "totalIsExact": True,
    }
    default = await _list(client, coach)
    assert default["pagination"] == {
        "page": 1,
        "pageSize": 20,
        "total": 5,
        "totalPages": 1,
        "totalIsExact": True,
    }
    largest = await _list(client, coach, pageSize=100)
    assert largest["pagination"]["pageSize"] == 100


async def test_an_empty_list(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    page = await _list(client, admin)
    assert page == {
        "items": [],
        "pagination": {
            "page": 1,
            "pageSize": 20,
            "total": 0,
            "totalPages": 0,
            "totalIsExact": True,
        },
    }


@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"pageSize": 0},
        {"pageSize": 101},
        {"sort": "updatedAt"},
        {"sort": "-id"},
        {"type": "cardio"},
        {"userId": "not-a-uuid"},
        {"template": "maybe"},
    ],
)
async def test_invalid_queries_are_422(
    client: httpx.AsyncClient, factory: Factory, params: dict[str, Any]
) -> None:
    admin = await factory.admin()
    response = await client.get(PLANS, params=params, headers=admin.headers)
    assert_error(response, 422)


async def test_only_staff_list_plans(client: httpx.AsyncClient, factory: Factory) -> None:
    customer = await factory.customer()
    response = await client.get(PLANS, headers=customer.headers)
    assert_error(response, 403, "You do not have permission to perform this action")
    assert_error(await client.get(PLANS), 401, "Authentication required")
