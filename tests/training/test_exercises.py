"""The exercise library through HTTP: the seeded wger data with its attribution, the filters,
alternatives, contraindications, and who may edit."""

from __future__ import annotations

from tests.factories import Factory, assert_error
from tests.training.helpers import seed_library

BASE = "/api/v1/exercises"


async def test_the_seeded_library_is_searchable_and_keeps_each_rows_attribution(
    factory: Factory,
) -> None:
    await seed_library(factory)
    await seed_library(factory)  # idempotent: nothing doubled
    customer = await factory.customer()
    everything = await factory.client.get(BASE, headers=customer.headers)
    assert everything.status_code == 200, everything.text
    assert everything.json()["data"]["pagination"]["total"] == 872

    found = await factory.client.get(
        BASE, params={"q": "kettlebell swing", "pageSize": 5}, headers=customer.headers
    )
    swing = found.json()["data"]["items"][0]
    assert swing["name"] == "2 Handed Kettlebell Swing"
    assert swing["licence"] == "CC-BY-SA 4"
    assert swing["author"]
    assert swing["equipment"] == ["kettlebell"]
    assert "joint_or_back_pain" in swing["contraindications"]
    assert swing["instructions"]

    squats = await factory.client.get(
        BASE,
        params={"movementPattern": "squat", "equipment": "barbell", "muscle": "quads"},
        headers=customer.headers,
    )
    rows = squats.json()["data"]["items"]
    assert rows
    for row in rows:
        assert row["movementPattern"] == "squat"
        assert "barbell" in row["equipment"]
        assert "quads" in row["primaryMuscles"] + row["secondaryMuscles"]


async def test_an_exercise_lists_its_variations_first_among_its_alternatives(
    factory: Factory,
) -> None:
    await seed_library(factory)
    customer = await factory.customer()
    found = await factory.client.get(
        BASE, params={"q": "Romanian Deadlift"}, headers=customer.headers
    )
    exercise = next(row for row in found.json()["data"]["items"] if row["variationGroup"])
    detail = await factory.client.get(f"{BASE}/{exercise['id']}", headers=customer.headers)
    assert detail.status_code == 200, detail.text
    alternatives = detail.json()["data"]["alternatives"]
    assert alternatives
    assert alternatives[0]["variationGroup"] == exercise["variationGroup"]
    assert exercise["id"] not in {row["id"] for row in alternatives}


async def test_coaches_add_and_change_exercises_and_customers_cannot(factory: Factory) -> None:
    coach = await factory.coach()
    customer = await factory.customer()
    body = {
        "name": "Goblet box squat",
        "category": "legs",
        "movementPattern": "squat",
        "instructions": "Hold the bell at the chest and sit to the box.",
        "primaryMuscles": ["quads", "glutes"],
        "equipment": ["kettlebell"],
        "videoUrl": "https://media.example/goblet.mp4",
    }
    refused = await factory.client.post(BASE, json=body, headers=customer.headers)
    assert_error(refused, 403)
    created = await factory.client.post(BASE, json=body, headers=coach.headers)
    assert created.status_code == 201, created.text
    exercise = created.json()["data"]
    assert exercise["author"] == "fitcoach"

    changed = await factory.client.patch(
        f"{BASE}/{exercise['id']}",
        json={"contraindications": ["pregnancy"], "imageUrl": "https://media.example/g.png"},
        headers=coach.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["contraindications"] == ["pregnancy"]
    assert changed.json()["data"]["primaryMuscles"] == ["quads", "glutes"]
    assert changed.json()["data"]["imageUrl"] == "https://media.example/g.png"

    bad = await factory.client.patch(
        f"{BASE}/{exercise['id']}", json={"equipment": ["spaceship"]}, headers=coach.headers
    )
    assert_error(bad, 422)
    bad_url = await factory.client.post(
        BASE, json={**body, "videoUrl": "javascript:alert(1)"}, headers=coach.headers
    )
    assert_error(bad_url, 422)
    missing = await factory.client.get(
        f"{BASE}/00000000-0000-0000-0000-000000000000", headers=customer.headers
    )
    assert_error(missing, 404, "Exercise not found")
