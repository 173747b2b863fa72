"""Substitutions through HTTP: the refusal rules (not an alternative, contraindicated, equipment),
the ranked safe alternatives, that a swap on a shared template touches no one else, and who may
revert it."""

from __future__ import annotations

from datetime import date

from fitcoach.core.clock import FrozenClock
from tests.factories import Factory, assert_error
from tests.training.helpers import (
    follow,
    intake,
    library_exercise,
    log_item,
    set_local_time,
    today,
    training_plan,
)


async def test_substitution_rules_ranking_isolation_and_revert(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T10:00:00", "UTC")
    admin = await factory.admin()
    coach = await factory.coach()
    other_coach = await factory.coach()
    customer = await factory.customer()
    neighbour = await factory.customer()
    await factory.assign_coach(coach, customer)
    await intake(factory, customer)
    await library_exercise(factory, coach, "Base squat")
    safe = await library_exercise(factory, coach, "Box squat to bench top")
    jumping = await library_exercise(
        factory, coach, "Jump squat", contraindications=["joint_or_back_pain"]
    )
    barbell = await library_exercise(factory, coach, "Barbell back squat", equipment=["barbell"])
    curl = await library_exercise(
        factory, coach, "Curl", movementPattern="isolation", primaryMuscles=["biceps"]
    )
    plan = await training_plan(
        factory, admin, [{"day": 1, "exercise": "Base squat", "sets": 3, "reps": "8"}]
    )
    item_id = plan["items"][0]["id"]
    for who in (customer, neighbour):
        await follow(factory, admin, plan["id"], who, date(2026, 12, 7))

    listed = await factory.client.get(
        f"/api/v1/plans/{plan['id']}/items/{item_id}/alternatives", headers=customer.headers
    )
    assert listed.status_code == 200, listed.text
    assert [row["exercise"]["id"] for row in listed.json()["data"]] == [safe]
    assert listed.json()["data"][0]["reason"] == "Same movement pattern (squat), works test_quads"

    url = f"/api/v1/plans/{plan['id']}/substitutions"
    for alternative, message in (
        (curl, "Not an alternative"),
        (
            jumping,
            "Contraindicated: the alternative is unsafe with your health flags: joint_or_back_pain",
        ),
        (barbell, "Equipment: the alternative needs equipment you do not have: barbell"),
    ):
        refused = await factory.client.post(
            url,
            json={"itemId": item_id, "alternativeId": alternative, "reason": "knees"},
            headers=customer.headers,
        )
        assert_error(refused, 422)
        assert refused.json()["message"].startswith(message)

    done = await factory.client.post(
        url,
        json={"itemId": item_id, "alternativeId": safe, "reason": "knees"},
        headers=customer.headers,
    )
    assert done.status_code == 200, done.text
    swapped = done.json()["data"]
    assert swapped["exercise"]["id"] == safe
    assert swapped["substitution"]["originalExercise"] == "Base squat"

    mine = (await today(factory, customer))["items"][0]
    assert mine["exercise"]["id"] == safe
    assert mine["substitution"]["reason"] == "knees"
    theirs = (await today(factory, neighbour))["items"][0]
    assert theirs["substitution"] is None
    assert theirs["exercise"]["name"] == "Base squat"
    wrong_swap = await log_item(factory, customer, plan["id"], item_id, substitutionId=theirs["id"])
    assert_error(wrong_swap, 422, "substitutionId is not the substitution applied to this item")
    logged = await log_item(
        factory, customer, plan["id"], item_id, substitutionId=swapped["substitution"]["id"]
    )
    assert logged.status_code == 200, logged.text
    template = await factory.client.get(f"/api/v1/plans/{plan['id']}", headers=admin.headers)
    assert template.json()["data"]["items"][0]["exercise"] == "Base squat"

    revert_url = f"{url}/{swapped['substitution']['id']}"
    stranger = await factory.client.delete(revert_url, headers=other_coach.headers)
    assert_error(stranger, 404, "Substitution not found")
    reverted = await factory.client.delete(revert_url, headers=coach.headers)
    assert reverted.status_code == 200, reverted.text
    assert (await today(factory, customer))["items"][0]["substitution"] is None
