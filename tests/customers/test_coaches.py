"""Assigning coaches to customers (admin), a coach's customer list, and what an assignment lets
a coach do with the customer's plans."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import AuditEntry
from tests.factories import Account, Factory, assert_error
from tests.plans.payloads import PLANS, create_plan, plan_body

CUSTOMERS = "/api/v1/customers"
MY_CUSTOMERS = "/api/v1/coaches/me/customers"
FORBIDDEN = "You do not have permission to perform this action"


async def _assign(
    client: httpx.AsyncClient, admin: Account, customer_id: str, coach_id: str
) -> httpx.Response:
    return await client.post(
        f"{CUSTOMERS}/{customer_id}/coaches", json={"coachId": coach_id}, headers=admin.headers
    )


async def _my_customers(client: httpx.AsyncClient, coach: Account, **params: Any) -> dict[str, Any]:
    response = await client.get(MY_CUSTOMERS, params=params, headers=coach.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_admin_assigns_and_unassigns_a_coach(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    admin = await factory.admin()
    coach = await factory.coach(name="Coach Number One")
    customer = await factory.customer()

    response = await _assign(client, admin, customer.user_id, coach.user_id)
    assert response.status_code == 201, response.text
    assigned = response.json()["data"]
    assert (assigned["coachId"], assigned["name"]) == (coach.user_id, "Coach Number One")
    assert_error(
        await _assign(client, admin, customer.user_id, coach.user_id),
        409,
        "This coach is already assigned to the customer",
    )
    assert [c["id"] for c in (await _my_customers(client, coach))["items"]] == [customer.user_id]

    path = f"{CUSTOMERS}/{customer.user_id}/coaches/{coach.user_id}"
    response = await client.delete(path, headers=admin.headers)
    assert response.json() == {"status": "success", "message": "Coach unassigned successfully"}
    assert_error(
        await client.delete(path, headers=admin.headers),
        404,
        "This coach is not assigned to the customer",
    )
    assert (await _my_customers(client, coach))["items"] == []
    # Assigned again after an ended assignment: history is kept, a new one starts.
    assert (await _assign(client, admin, customer.user_id, coach.user_id)).status_code == 201

    async with app.state.sessionmaker() as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.action.like("coach.%"))
                .order_by(AuditEntry.occurred_at)
            )
        ).all()
    assert sorted(actions) == ["coach.assigned", "coach.assigned", "coach.unassigned"]


async def test_assignment_errors(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    coach = await factory.coach()
    customer, other_customer = await factory.customer(), await factory.customer()

    for not_a_coach in (other_customer.user_id, str(uuid.uuid4())):
        response = await _assign(client, admin, customer.user_id, not_a_coach)
        assert_error(response, 422, "coachId must be the id of a coach")
    for not_a_customer in (str(uuid.uuid4()), coach.user_id):
        response = await _assign(client, admin, not_a_customer, coach.user_id)
        assert_error(response, 404, "Customer not found")
    response = await client.delete(
        f"{CUSTOMERS}/{uuid.uuid4()}/coaches/{coach.user_id}", headers=admin.headers
    )
    assert_error(response, 404, "Customer not found")
    response = await client.post(
        f"{CUSTOMERS}/{customer.user_id}/coaches", json={}, headers=admin.headers
    )
    assert_error(response, 422, "coachId is required")
    for outsider in (coach, customer):
        response = await client.post(
            f"{CUSTOMERS}/{customer.user_id}/coaches",
            json={"coachId": coach.user_id},
            headers=outsider.headers,
        )
        assert_error(response, 403, FORBIDDEN)
        response = await client.delete(
            f"{CUSTOMERS}/{customer.user_id}/coaches/{coach.user_id}", headers=outsider.headers
        )
        assert_error(response, 403, FORBIDDEN)


async def test_a_coach_lists_searches_and_filters_their_customers(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    coach, other_coach = await factory.coach(), await factory.coach()
    alice = await factory.customer(name="Alice Wonder", email="alice@example.com")
    bob = await factory.customer(name="Bobby Tables")
    carol = await factory.customer(name="Carol Singer")
    stranger = await factory.customer(name="Alice Stranger")
    for customer in (alice, bob, carol):
        await factory.assign_coach(coach, customer)
        clock.advance(seconds=1)
    await factory.assign_coach(other_coach, stranger)
    response = await client.post(
        "/api/v1/onboarding/intake",
        json={
            "questionnaireVersion": 1,
            "goals": ["build_muscle"],
            "healthFlags": ["pregnancy"],
            "consentAccepted": True,
        },
        headers=bob.headers,
    )
    assert response.status_code == 200, response.text

    page = await _my_customers(client, coach)
    assert [c["name"] for c in page["items"]] == ["Alice Wonder", "Bobby Tables", "Carol Singer"]
    assert page["pagination"] == {
        "page": 1,
        "pageSize": 20,
        "total": 3,
        "totalPages": 1,
        "totalIsExact": True,
    }
    [bob_item] = [c for c in page["items"] if c["id"] == bob.user_id]
    assert bob_item["goals"] == ["build_muscle"]
    assert bob_item["riskFlags"] == ["pregnancy", "needs_medical_clearance", "needs_coach_review"]

    names = lambda data: [c["name"] for c in data["items"]]  # noqa: E731
    assert names(await _my_customers(client, coach, q="ALICE")) == ["Alice Wonder"]
    assert names(await _my_customers(client, coach, q="EXAMPLE.com")) == ["Alice Wonder"]
    assert names(await _my_customers(client, coach, q=carol.phone[-6:])) == ["Carol Singer"]
    assert names(await _my_customers(client, coach, q="%")) == []
    assert names(await _my_customers(client, coach, riskFlag="pregnancy")) == ["Bobby Tables"]
    assert names(await _my_customers(client, coach, riskFlag="diabetes")) == []
    assert names(await _my_customers(client, coach, sort="-assignedAt")) == [
        "Carol Singer",
        "Bobby Tables",
        "Alice Wonder",
    ]
    second = await _my_customers(client, coach, page=2, pageSize=2)
    assert names(second) == ["Carol Singer"]
    assert second["pagination"]["totalPages"] == 2

    response = await client.get(MY_CUSTOMERS, params={"riskFlag": "nope"}, headers=coach.headers)
    assert_error(response, 422)
    response = await client.get(MY_CUSTOMERS, params={"sort": "phone"}, headers=coach.headers)
    assert_error(response, 422)
    for bad_page in ({"page": 0}, {"page": 10**20}, {"pageSize": 101}):
        response = await client.get(MY_CUSTOMERS, params=bad_page, headers=coach.headers)
        assert_error(response, 422)
    response = await client.get(MY_CUSTOMERS, headers=alice.headers)
    assert_error(response, 403, "Only coaches have customers")


async def test_plans_of_assigned_customers_only(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    coach, unassigned = await factory.coach(), await factory.coach()
    customer = await factory.customer()
    await factory.assign_coach(coach, customer)
    by_admin = await create_plan(client, admin, userId=customer.user_id)

    # An unassigned coach may not create, read, change or delete the customer's plans.
    response = await client.post(
        PLANS, json=plan_body(userId=customer.user_id), headers=unassigned.headers
    )
    assert_error(response, 403, "Coaches can only create plans for customers assigned to them")
    plan_path = f"{PLANS}/{by_admin['id']}"
    assert_error(await client.get(plan_path, headers=unassigned.headers), 404, "Plan not found")
    response = await client.patch(plan_path, json={"name": "Mine"}, headers=unassigned.headers)
    assert_error(response, 404, "Plan not found")
    assert_error(await client.delete(plan_path, headers=unassigned.headers), 404)
    listed = await client.get(
        PLANS, params={"userId": customer.user_id}, headers=unassigned.headers
    )
    assert listed.json()["data"]["items"] == []
    response = await client.get(f"{PLANS}/training/{customer.user_id}", headers=unassigned.headers)
    assert_error(response, 403, FORBIDDEN)

    # The assigned coach reads and changes every plan of the customer, whoever wrote it.
    assert (await client.get(plan_path, headers=coach.headers)).status_code == 200
    response = await client.patch(plan_path, json={"name": "Coached"}, headers=coach.headers)
    assert response.status_code == 200, response.text
    own = await create_plan(client, coach, userId=customer.user_id)
    listed = await client.get(PLANS, params={"userId": customer.user_id}, headers=coach.headers)
    assert {plan["id"] for plan in listed.json()["data"]["items"]} == {by_admin["id"], own["id"]}
    response = await client.get(f"{PLANS}/training/{customer.user_id}", headers=coach.headers)
    assert_error(response, 404, "No default training plan is configured")

    # Unassigned, the coach loses the customer's plans, those they wrote included.
    await factory.unassign_coach(coach, customer)
    own_path = f"{PLANS}/{own['id']}"
    assert_error(await client.get(plan_path, headers=coach.headers), 404, "Plan not found")
    assert_error(await client.get(own_path, headers=coach.headers), 404, "Plan not found")
    response = await client.patch(own_path, json={"name": "Still mine"}, headers=coach.headers)
    assert_error(response, 404, "Plan not found")
    assert_error(await client.delete(own_path, headers=coach.headers), 404, "Plan not found")
    response = await client.post(
        PLANS, json=plan_body(userId=customer.user_id), headers=coach.headers
    )
    assert_error(response, 403, "Coaches can only create plans for customers assigned to them")
    assert (await client.delete(plan_path, headers=admin.headers)).status_code == 200
