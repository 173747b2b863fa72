"""Creating, changing, publishing and archiving products; who sees drafts; the audit trail."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import AuditEntry, ProductGoal
from tests.catalog.payloads import (
    PRODUCTS,
    create_product,
    get_product,
    list_products,
    product_body,
    publish,
)
from tests.factories import Factory, assert_error

FORBIDDEN = "You do not have permission to perform this action"


async def _audit(app: FastAPI, resource_id: str) -> list[AuditEntry]:
    async with app.state.sessionmaker() as session:
        result = await session.execute(
            select(AuditEntry)
            .where(AuditEntry.resource_id == resource_id)
            .order_by(AuditEntry.occurred_at)
        )
        return list(result.scalars())


async def _goal_rows(app: FastAPI, product_id: str) -> set[str]:
    async with app.state.sessionmaker() as session:
        result = await session.execute(
            select(ProductGoal.goal).where(ProductGoal.product_id == uuid.UUID(product_id))
        )
        return set(result.scalars())


async def test_coach_creates_a_draft_they_lead(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    coach = await factory.coach(name="Coach Carter")
    product = await create_product(client, coach, price=12345, durationWeeks=12)
    assert product["status"] == "draft"
    assert product["coachId"] == coach.user_id
    assert product["coach"] == {
        "id": coach.user_id,
        "name": "Coach Carter",
        "rating": None,
        "ratingCount": 0,
    }
    assert product["goals"] == ["lose_weight", "general_fitness"]
    assert (product["price"], product["currency"]) == (12345, "USD")
    assert product["pricePerWeek"] == 1029  # 1028.75 rounded half up
    assert product["included"] == {
        "sessionsPerMonth": 4,
        "customTrainingPlan": True,
        "customDietPlan": False,
        "chatAccess": True,
    }
    [addon] = product["addons"]
    assert (addon["name"], addon["price"]) == ("Meal prep guide", 1500)
    assert product["contraindications"] == ["pregnancy"]
    assert product["rating"] == {"average": None, "count": 0}
    assert product["publishedAt"] is None
    assert await _goal_rows(app, product["id"]) == {"lose_weight", "general_fitness"}
    [entry] = await _audit(app, product["id"])
    assert entry.action == "catalog.product.created"
    assert entry.actor_id == coach.id
    assert entry.changes is not None
    assert entry.changes["title"] == {"before": None, "after": "Shred in twelve"}


async def test_admin_creates_for_a_coach(client: httpx.AsyncClient, factory: Factory) -> None:
    admin, coach = await factory.admin(), await factory.coach()
    product = await create_product(client, admin, coachId=coach.user_id)
    assert product["coachId"] == coach.user_id


async def test_who_leads_a_product_is_checked(client: httpx.AsyncClient, factory: Factory) -> None:
    admin, coach, other_coach = await factory.admin(), await factory.coach(), await factory.coach()
    customer = await factory.customer()
    response = await client.post(PRODUCTS, json=product_body(), headers=admin.headers)
    assert_error(response, 422, "coachId is required when an admin creates a product")
    response = await client.post(
        PRODUCTS, json=product_body(coachId=customer.user_id), headers=admin.headers
    )
    assert_error(response, 422, "coachId must name a coach")
    response = await client.post(
        PRODUCTS, json=product_body(coachId=str(uuid.uuid4())), headers=admin.headers
    )
    assert_error(response, 404, "User not found")
    response = await client.post(
        PRODUCTS, json=product_body(coachId=other_coach.user_id), headers=coach.headers
    )
    assert_error(response, 403, "Coaches can only create products they lead themselves")
    response = await client.post(
        PRODUCTS, json=product_body(coachId=coach.user_id), headers=coach.headers
    )
    assert response.status_code == 201
    response = await client.post(PRODUCTS, json=product_body(), headers=customer.headers)
    assert_error(response, 403, FORBIDDEN)
    assert_error(await client.post(PRODUCTS, json=product_body()), 401)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"goals": ["fly"]}, "goals.0"),
        ({"goals": []}, "goals"),
        ({"level": "expert"}, "level"),
        ({"contraindications": ["vertigo"]}, "contraindications.0"),
        ({"price": 12.5}, "price"),
        ({"price": -1}, "price"),
        ({"currency": "usd"}, "currency"),
        ({"durationWeeks": 0}, "durationWeeks"),
        ({"title": "  "}, "title"),
        ({"mediaUrls": ["ftp://x"]}, "mediaUrls.0"),
        ({"status": "published"}, "status"),
        ({"included": {"sessionsPerMonth": -1}}, "included.sessionsPerMonth"),
    ],
)
async def test_invalid_products_are_422(
    client: httpx.AsyncClient, factory: Factory, overrides: dict[str, Any], field: str
) -> None:
    coach = await factory.coach()
    response = await client.post(PRODUCTS, json=product_body(**overrides), headers=coach.headers)
    assert_error(response, 422)
    assert response.json()["errors"][0]["field"] == field


async def test_drafts_are_seen_by_their_coach_and_admins_only(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach, other_coach = await factory.coach(), await factory.coach()
    admin, customer = await factory.admin(), await factory.customer()
    draft = await create_product(client, coach)
    path = f"{PRODUCTS}/{draft['id']}"
    assert (await get_product(client, coach, draft["id"]))["status"] == "draft"
    assert (await get_product(client, admin, draft["id"]))["status"] == "draft"
    for outsider in (other_coach, customer):
        assert_error(await client.get(path, headers=outsider.headers), 404, "Product not found")
    assert (await list_products(client, coach))["items"] == []  # browsing is published only

    await publish(client, coach, draft["id"])
    for reader in (other_coach, customer):
        assert (await get_product(client, reader, draft["id"]))["status"] == "published"

    archive = await client.post(f"{path}/archive", headers=admin.headers)
    assert archive.status_code == 200, archive.text
    assert archive.json()["data"]["status"] == "archived"
    assert_error(await client.get(path, headers=customer.headers), 404, "Product not found")
    assert (await get_product(client, coach, draft["id"]))["status"] == "archived"
    assert_error(await client.get(path), 401)


async def test_status_transitions(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    coach = await factory.coach()
    product = await create_product(client, coach)
    path = f"{PRODUCTS}/{product['id']}"
    clock.advance(minutes=1)
    published = await publish(client, coach, product["id"])
    assert published["publishedAt"] is not None
    response = await client.post(f"{path}/publish", headers=coach.headers)
    assert_error(response, 409, "Product is already published")
    clock.advance(minutes=1)
    assert (await client.post(f"{path}/archive", headers=coach.headers)).status_code == 200
    response = await client.post(f"{path}/archive", headers=coach.headers)
    assert_error(response, 409, "Product is already archived")
    clock.advance(minutes=1)
    assert (await publish(client, coach, product["id"]))["status"] == "published"
    actions = [entry.action for entry in await _audit(app, product["id"])]
    assert actions == [
        "catalog.product.created",
        "catalog.product.published",
        "catalog.product.archived",
        "catalog.product.published",
    ]
    entries = await _audit(app, product["id"])
    assert entries[2].changes == {"status": {"before": "published", "after": "archived"}}


async def test_coach_edits_their_own_and_admin_any(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, app: FastAPI
) -> None:
    coach, other_coach, admin = await factory.coach(), await factory.coach(), await factory.admin()
    product = await create_product(client, coach)
    path = f"{PRODUCTS}/{product['id']}"
    clock.advance(minutes=1)
    response = await client.patch(
        path,
        json={
            "title": "Shred in eight",
            "durationWeeks": 8,
            "goals": ["build_muscle"],
            "addons": [],
            "description": None,
        },
        headers=coach.headers,
    )
    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert (updated["title"], updated["durationWeeks"], updated["pricePerWeek"]) == (
        "Shred in eight",
        8,
        1500,
    )
    assert updated["goals"] == ["build_muscle"]
    assert updated["addons"] == []
    assert updated["description"] is None
    assert updated["updatedAt"] > product["updatedAt"]
    assert await _goal_rows(app, product["id"]) == {"build_muscle"}
    entry = (await _audit(app, product["id"]))[-1]
    assert entry.action == "catalog.product.updated"
    assert entry.changes is not None
    assert entry.changes["durationWeeks"] == {"before": 12, "after": 8}
    assert entry.changes["goals"] == {
        "before": ["lose_weight", "general_fitness"],
        "after": ["build_muscle"],
    }

    # Another coach: the draft does not exist for them; once published, it is not theirs.
    response = await client.patch(path, json={"title": "Mine"}, headers=other_coach.headers)
    assert_error(response, 404, "Product not found")
    await publish(client, coach, product["id"])
    response = await client.patch(path, json={"title": "Mine"}, headers=other_coach.headers)
    assert_error(response, 403, FORBIDDEN)
    response = await client.post(f"{path}/archive", headers=other_coach.headers)
    assert_error(response, 403, FORBIDDEN)

    response = await client.patch(path, json={"price": 9000}, headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["data"]["price"] == 9000
    response = await client.patch(path, json={"title": None}, headers=admin.headers)
    assert_error(response, 422, "title cannot be null")
    response = await client.patch(path, json={"coachId": admin.user_id}, headers=admin.headers)
    assert_error(response, 422, "coachId is not an accepted field")
