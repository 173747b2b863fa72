"""GET and PATCH /customers/{id}/profile: what the profile holds, and who may read and change it
(the customer, an assigned coach to read, an admin; nobody else learns the customer exists)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import AuditEntry
from tests.factories import Account, Factory, assert_error

CUSTOMERS = "/api/v1/customers"
FORBIDDEN = "You do not have permission to perform this action"
NOT_FOUND = "Customer not found"
INTAKE = {
    "questionnaireVersion": 1,
    "goals": ["lose_weight"],
    "preferences": {"trainingDaysPerWeek": 3, "equipment": ["dumbbells"]},
    "healthFlags": ["diabetes"],
    "consentAccepted": True,
}


async def _profile(
    client: httpx.AsyncClient, customer: Account, reader: Account | None = None
) -> httpx.Response:
    return await client.get(
        f"{CUSTOMERS}/{customer.user_id}/profile", headers=(reader or customer).headers
    )


async def _onboard(client: httpx.AsyncClient, customer: Account) -> str:
    response = await client.post("/api/v1/onboarding/intake", json=INTAKE, headers=customer.headers)
    assert response.status_code == 200, response.text
    profile_id: str = response.json()["data"]["profileId"]
    return profile_id


async def test_the_profile_holds_answers_consent_coaches_and_subscription(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    customer = await factory.customer(name="Dina Customer", email="dina@example.com")
    coach = await factory.coach(name="Omar The Coach")
    profile_id = await _onboard(client, customer)
    answered_at = clock.now()
    clock.advance(minutes=5)
    await factory.assign_coach(coach, customer)

    response = await _profile(client, customer)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    assert data["customerId"] == customer.user_id
    assert data["profileId"] == profile_id
    assert data["demographics"] == {
        "name": "Dina Customer",
        "phone": customer.phone,
        "email": "dina@example.com",
        "age": 30,
        "gender": "male",
        "height": 180.0,
        "weight": 75.0,
    }
    assert data["goals"] == ["lose_weight"]
    assert data["preferences"] == INTAKE["preferences"]
    assert data["healthFlags"] == ["diabetes"]
    assert data["riskFlags"] == ["diabetes", "needs_coach_review"]
    assert data["consent"]["accepted"] is True
    assert data["consent"]["version"] == 1
    assert datetime.fromisoformat(data["consent"]["acceptedAt"]) == answered_at
    # Each coach with the time the assignment began.
    assert [
        (c["coachId"], c["name"], datetime.fromisoformat(c["since"])) for c in data["coaches"]
    ] == [(coach.user_id, "Omar The Coach", clock.now())]
    assert data["subscription"]["isSubscribed"] is True
    assert data["subscription"]["subscription"]["type"] == "free"


async def test_a_customer_who_has_not_onboarded_has_an_empty_profile(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    data = (await _profile(client, customer)).json()["data"]
    assert data["profileId"] is None
    assert (data["goals"], data["preferences"], data["riskFlags"], data["coaches"]) == (
        [],
        {},
        [],
        [],
    )
    assert data["consent"] == {"accepted": False, "acceptedAt": None, "version": None}


async def test_who_may_read_a_profile(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    customer, other_customer = await factory.customer(), await factory.customer()
    coach, other_coach = await factory.coach(), await factory.coach()
    await factory.assign_coach(coach, customer)

    for reader in (customer, coach, admin):
        assert (await _profile(client, customer, reader)).status_code == 200
    for reader in (other_customer, other_coach):
        assert_error(await _profile(client, customer, reader), 404, NOT_FOUND)
    # Unknown ids and non-customers look exactly like customers one may not see.
    for missing in (str(uuid.uuid4()), coach.user_id):
        response = await client.get(f"{CUSTOMERS}/{missing}/profile", headers=admin.headers)
        assert_error(response, 404, NOT_FOUND)
    assert_error(await client.get(f"{CUSTOMERS}/{customer.user_id}/profile"), 401)
    assert_error(await client.get(f"{CUSTOMERS}/nope/profile", headers=admin.headers), 422)

    await factory.unassign_coach(coach, customer)
    assert_error(await _profile(client, customer, coach), 404, NOT_FOUND)


async def test_the_customer_changes_demographics_and_preferences(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    customer = await factory.customer()
    await _onboard(client, customer)
    response = await client.patch(
        f"{CUSTOMERS}/{customer.user_id}/profile",
        json={
            "name": "  New   Name ",
            "height": 170,
            "weight": None,
            "age": 41,
            "gender": "female",
            "preferences": {"trainingDaysPerWeek": 5, "equipment": None, "level": "advanced"},
        },
        headers=customer.headers,
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["demographics"]["name"] == "New Name"
    assert (data["demographics"]["height"], data["demographics"]["weight"]) == (170.0, None)
    assert (data["demographics"]["age"], data["demographics"]["gender"]) == (41, "female")
    assert data["preferences"] == {"trainingDaysPerWeek": 5, "level": "advanced"}
    assert (await _profile(client, customer)).json()["data"] == data

    async with app.state.sessionmaker() as session:
        entry = (
            await session.execute(
                select(AuditEntry).where(AuditEntry.action == "customer.profile.updated")
            )
        ).scalar_one()
    assert entry.actor_id == customer.id
    assert entry.changes is not None
    assert entry.changes["name"] == {"before": "Test Person", "after": "New Name"}
    assert entry.changes["preferences"]["after"] == data["preferences"]


async def test_who_may_change_a_profile(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    customer, other_customer = await factory.customer(), await factory.customer()
    coach, other_coach = await factory.coach(), await factory.coach()
    await factory.assign_coach(coach, customer)
    path = f"{CUSTOMERS}/{customer.user_id}/profile"
    body = {"age": 35}

    response = await client.patch(path, json=body, headers=coach.headers)
    assert_error(response, 403, FORBIDDEN)
    for outsider in (other_customer, other_coach):
        response = await client.patch(path, json=body, headers=outsider.headers)
        assert_error(response, 404, NOT_FOUND)
    response = await client.patch(path, json=body, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["demographics"]["age"] == 35


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"name": "Abc"}, 422, "Name must be 5-30 characters"),
        ({"name": None}, 422, "name cannot be null"),
        ({"height": 49}, 422, None),
        ({"weight": 501}, 422, None),
        ({"age": 12}, 422, None),
        ({"gender": "other"}, 422, None),
        ({"phone": "+201000000000"}, 422, "phone is not an accepted field"),
        ({"preferences": {"colour": "red"}}, 422, "Unknown preferences: colour"),
        (
            {"preferences": {"trainingDaysPerWeek": 9}},
            422,
            "Invalid preferences: trainingDaysPerWeek must be a whole number from 1 to 7",
        ),
    ],
)
async def test_changes_are_validated(
    client: httpx.AsyncClient,
    factory: Factory,
    body: dict[str, Any],
    status: int,
    message: str | None,
) -> None:
    customer = await factory.customer()
    await _onboard(client, customer)
    response = await client.patch(
        f"{CUSTOMERS}/{customer.user_id}/profile", json=body, headers=customer.headers
    )
    assert_error(response, status, message)


async def test_preferences_need_an_onboarded_customer(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    response = await client.patch(
        f"{CUSTOMERS}/{customer.user_id}/profile",
        json={"preferences": {"trainingDaysPerWeek": 3}},
        headers=customer.headers,
    )
    assert_error(response, 409, "Complete the onboarding questionnaire before changing preferences")
