"""Creating plans and reading one plan: shapes, validation per plan type, and who may see what."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.factories import Factory, assert_error
from tests.plans.payloads import (
    PLANS,
    create_plan,
    diet_item,
    plan_body,
    set_default_plan,
    training_item,
)

FORBIDDEN = "You do not have permission to perform this action"


async def test_admin_creates_a_training_template(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    body = plan_body(
        "training",
        items=[training_item(day=1), training_item(day=1, exercise="Bench press", reps="5")],
    )
    response = await client.post(PLANS, json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    plan = response.json()["data"]
    assert response.json()["status"] == "success"
    assert plan["type"] == "training"
    assert plan["name"] == "Starter training"
    assert plan["description"] == "Three days a week"
    assert plan["userId"] is None
    assert plan["authorId"] == admin.user_id
    assert plan["isTemplate"] is True
    assert plan["createdAt"] == plan["updatedAt"]
    first, second = plan["items"]
    uuid.UUID(first["id"])
    assert first == {
        "id": first["id"],
        "position": 0,
        "day": 1,
        "exercise": "Back squat",
        "sets": 4,
        "reps": "8-12",
        "restSeconds": 90,
        "notes": "Keep the chest up",
        "mediaUrl": "https://videos.example.com/squat.mp4",
    }
    assert (second["position"], second["exercise"], second["reps"]) == (1, "Bench press", "5")


async def test_coach_creates_a_custom_diet_plan_for_a_customer(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach = await factory.coach()
    customer = await factory.customer()
    await factory.assign_coach(coach, customer)
    response = await client.post(
        PLANS,
        json=plan_body("diet", userId=customer.user_id, items=[diet_item(proteinG=None)]),
        headers=coach.headers,
    )
    assert response.status_code == 201, response.text
    plan = response.json()["data"]
    assert (plan["type"], plan["userId"], plan["authorId"], plan["isTemplate"]) == (
        "diet",
        customer.user_id,
        coach.user_id,
        False,
    )
    [item] = plan["items"]
    assert item == {
        "id": item["id"],
        "position": 0,
        "day": 1,
        "meal": "Breakfast",
        "foods": ["Oats", "Milk", "Banana"],
        "calories": 450,
        "proteinG": None,
        "carbsG": 60.5,
        "fatG": 9,
        "notes": None,
        "mediaUrl": None,
    }


async def test_a_plan_may_start_without_items(client: httpx.AsyncClient, factory: Factory) -> None:
    coach = await factory.coach()
    plan = await create_plan(client, coach, items=[], description=None)
    assert (plan["items"], plan["description"]) == ([], None)


async def test_custom_plan_for_an_unknown_user_is_404_for_admins(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    response = await client.post(
        PLANS, json=plan_body(userId=str(uuid.uuid4())), headers=admin.headers
    )
    assert_error(response, 404, "User not found")


async def test_a_coach_learns_nothing_about_ids_that_are_not_their_customers(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach = await factory.coach()
    not_theirs = [str(uuid.uuid4()), (await factory.customer()).user_id, coach.user_id]
    for user_id in not_theirs:
        response = await client.post(PLANS, json=plan_body(userId=user_id), headers=coach.headers)
        assert_error(response, 403, "Coaches can only create plans for customers assigned to them")


async def test_custom_plan_only_for_customers(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    coach = await factory.coach()
    response = await client.post(PLANS, json=plan_body(userId=coach.user_id), headers=admin.headers)
    assert_error(response, 422, "Custom plans can only be assigned to customers")


async def test_only_staff_create_plans(client: httpx.AsyncClient, factory: Factory) -> None:
    customer = await factory.customer()
    assert_error(
        await client.post(PLANS, json=plan_body(), headers=customer.headers), 403, FORBIDDEN
    )
    assert_error(await client.post(PLANS, json=plan_body()), 401, "Authentication required")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (plan_body(type="cardio"), None),
        (plan_body(name=""), None),
        (plan_body(name="   "), None),
        (plan_body(name="x" * 121), None),
        (plan_body(description="x" * 5001), None),
        (plan_body("training", items=[diet_item()]), "training.items.0.exercise is required"),
        (plan_body("diet", items=[training_item()]), "diet.items.0.meal is required"),
        (plan_body(items=[training_item()] * 501), None),
        (plan_body(ownerId=str(uuid.uuid4())), "training.ownerId is not an accepted field"),
        (
            plan_body(items=[training_item(weight=80)]),
            "training.items.0.weight is not an accepted field",
        ),
        (plan_body(userId="not-a-uuid"), None),
        (plan_body(items=[training_item(day=0)]), None),
        (plan_body(items=[training_item(day=367)]), None),
        (plan_body(items=[training_item(sets=0)]), None),
        (plan_body(items=[training_item(sets=101)]), None),
        (plan_body(items=[training_item(sets="4")]), None),
        (plan_body(items=[training_item(sets=True)]), None),
        (plan_body(items=[training_item(reps="")]), None),
        (plan_body(items=[training_item(reps="1" * 33)]), None),
        (plan_body(items=[training_item(restSeconds=3601)]), None),
        (plan_body(items=[training_item(notes="x" * 2001)]), None),
        (
            plan_body(items=[training_item(mediaUrl="ftp://files.example.com/a.mp4")]),
            "mediaUrl must be an http or https URL",
        ),
        (
            plan_body(items=[training_item(mediaUrl="not a url")]),
            "mediaUrl must be an http or https URL",
        ),
        (plan_body(items=[training_item(mediaUrl="https://e.com/" + "a" * 2040)]), None),
        (plan_body("diet", items=[diet_item(foods=[])]), None),
        (plan_body("diet", items=[diet_item(foods=["x"] * 51)]), None),
        (plan_body("diet", items=[diet_item(foods=["x" * 201])]), None),
        (plan_body("diet", items=[diet_item(calories=10001)]), None),
        (plan_body("diet", items=[diet_item(calories=-1)]), None),
        (plan_body("diet", items=[diet_item(fatG=2000.5)]), None),
        ({"name": "No type", "items": []}, None),
        ({"type": "training", "name": "No items"}, "training.items is required"),
    ],
)
async def test_invalid_plans_are_422(
    client: httpx.AsyncClient, factory: Factory, body: dict[str, object], message: str | None
) -> None:
    coach = await factory.coach()
    response = await client.post(PLANS, json=body, headers=coach.headers)
    assert_error(response, 422, message)


async def test_the_largest_plan_is_accepted(client: httpx.AsyncClient, factory: Factory) -> None:
    coach = await factory.coach()
    items = [training_item(day=day % 366 + 1) for day in range(500)]
    plan = await create_plan(client, coach, items=items)
    assert [item["position"] for item in plan["items"]] == list(range(500))


async def test_readers_of_a_plan(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    coach, other_coach = await factory.coach(), await factory.coach()
    customer, other_customer = await factory.customer(), await factory.customer()
    template = await create_plan(client, other_coach)
    # The coach wrote `custom` while assigned; a customer's plans, whoever wrote them, are read
    # by the coaches assigned to that customer now, so the author loses it with the assignment.
    await factory.assign_coach(coach, customer)
    custom = await create_plan(client, coach, userId=customer.user_id)
    await factory.unassign_coach(coach, customer)
    await factory.assign_coach(other_coach, customer)
    others_custom = await create_plan(client, other_coach, userId=customer.user_id)

    async def status_of(plan: dict[str, object], reader_headers: dict[str, str]) -> int:
        response = await client.get(f"{PLANS}/{plan['id']}", headers=reader_headers)
        if response.status_code == 404:
            assert_error(response, 404, "Plan not found")
        return response.status_code

    assert await status_of(template, admin.headers) == 200
    assert await status_of(custom, admin.headers) == 200
    assert await status_of(template, coach.headers) == 200
    assert await status_of(custom, coach.headers) == 404
    assert await status_of(others_custom, coach.headers) == 404
    assert await status_of(custom, other_coach.headers) == 200
    assert await status_of(custom, customer.headers) == 200
    assert await status_of(others_custom, customer.headers) == 200
    assert await status_of(custom, other_customer.headers) == 404
    assert await status_of(template, customer.headers) == 404


async def test_a_read_returns_the_plan_with_items_in_order(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach = await factory.coach()
    created = await create_plan(
        client, coach, items=[training_item(day=3), training_item(day=1), training_item(day=2)]
    )
    response = await client.get(f"{PLANS}/{created['id']}", headers=coach.headers)
    assert response.status_code == 200
    assert response.json() == {"status": "success", "data": created}
    assert [item["day"] for item in created["items"]] == [3, 1, 2]


async def test_customers_read_the_configured_defaults(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    training = await create_plan(client, admin, "training")
    diet = await create_plan(client, admin, "diet")
    await set_default_plan(client, admin, "training", training["id"])
    assert (
        await client.get(f"{PLANS}/{training['id']}", headers=customer.headers)
    ).status_code == 200
    assert_error(
        await client.get(f"{PLANS}/{diet['id']}", headers=customer.headers), 404, "Plan not found"
    )
    await set_default_plan(client, admin, "diet", diet["id"])
    assert (await client.get(f"{PLANS}/{diet['id']}", headers=customer.headers)).status_code == 200


async def test_reading_unknown_malformed_or_anonymous(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    plan = await create_plan(client, admin)
    assert_error(
        await client.get(f"{PLANS}/{uuid.uuid4()}", headers=admin.headers), 404, "Plan not found"
    )
    assert_error(await client.get(f"{PLANS}/not-a-uuid", headers=admin.headers), 422)
    assert_error(await client.get(f"{PLANS}/{plan['id']}"), 401, "Authentication required")
