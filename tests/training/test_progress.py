"""Progress entries and adherence through HTTP: units per kind, who may record and read whose
entries, and the share of each local day's items a customer completed."""

from __future__ import annotations

from datetime import date

from fitcoach.core.clock import FrozenClock
from tests.factories import Factory, assert_error
from tests.training.helpers import follow, log_item, set_local_time, training_plan

ENTRIES = "/api/v1/progress/entries"


async def test_entries_have_units_and_are_seen_only_by_the_customer_and_their_coach(
    factory: Factory, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    coach = await factory.coach()
    other_coach = await factory.coach()
    stranger = await factory.customer()
    await factory.assign_coach(coach, customer)

    mine = await factory.client.post(
        ENTRIES,
        json={
            "kind": "body_weight",
            "value": 81.5,
            "unit": "kg",
            "measuredAt": "2026-12-06T07:00:00Z",
        },
        headers=customer.headers,
    )
    assert mine.status_code == 201, mine.text
    by_coach = await factory.client.post(
        ENTRIES,
        json={
            "customerId": customer.user_id,
            "kind": "girth",
            "site": "waist",
            "value": 88,
            "unit": "cm",
            "measuredAt": "2026-12-07T07:00:00+02:00",
        },
        headers=coach.headers,
    )
    assert by_coach.status_code == 201, by_coach.text
    assert by_coach.json()["data"]["recordedById"] == coach.user_id
    photo = await factory.client.post(
        ENTRIES,
        json={
            "kind": "photo",
            "photoUrl": "https://media.example/front.jpg",
            "measuredAt": "2026-12-07T08:00:00Z",
        },
        headers=customer.headers,
    )
    assert photo.status_code == 201, photo.text

    for bad in (
        {"kind": "body_weight", "value": 81, "unit": "stone"},
        {"kind": "body_fat", "value": 20, "unit": "%", "site": "waist"},
        {"kind": "girth", "value": 88, "unit": "cm"},
        {"kind": "photo", "value": 1, "unit": "kg"},
    ):
        response = await factory.client.post(
            ENTRIES, json={**bad, "measuredAt": "2026-12-07T08:00:00Z"}, headers=customer.headers
        )
        assert_error(response, 422)

    listed = await factory.client.get(
        ENTRIES, params={"customerId": customer.user_id}, headers=coach.headers
    )
    assert listed.status_code == 200, listed.text
    assert [row["kind"] for row in listed.json()["data"]["items"]] == [
        "photo",
        "girth",
        "body_weight",
    ]
    weights = await factory.client.get(
        ENTRIES, params={"kind": "body_weight"}, headers=customer.headers
    )
    assert weights.json()["data"]["pagination"]["total"] == 1

    for intruder in (other_coach, stranger):
        refused = await factory.client.get(
            ENTRIES, params={"customerId": customer.user_id}, headers=intruder.headers
        )
        assert_error(refused, 404)
        written = await factory.client.post(
            ENTRIES,
            json={
                "customerId": customer.user_id,
                "kind": "body_fat",
                "value": 20,
                "unit": "%",
                "measuredAt": "2026-12-07T08:00:00Z",
            },
            headers=intruder.headers,
        )
        assert_error(written, 404)


async def test_adherence_counts_each_local_days_share_for_the_coach(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-09T12:00:00", "UTC")
    admin = await factory.admin()
    coach = await factory.coach()
    other_coach = await factory.coach()
    customer = await factory.customer()
    await factory.assign_coach(coach, customer)
    items = [
        {"day": 1, "exercise": "Squats", "sets": 3, "reps": "8"},
        {"day": 1, "exercise": "Push-Ups", "sets": 3, "reps": "8"},
    ]
    plan = await training_plan(factory, admin, items)
    await follow(
        factory, admin, plan["id"], customer, date(2026, 12, 7), {"kind": "cycle", "cycleDays": 1}
    )
    for day in ("2026-12-07", "2026-12-08"):
        await log_item(factory, customer, plan["id"], plan["items"][0]["id"], date=day)
    await log_item(factory, customer, plan["id"], plan["items"][1]["id"], date="2026-12-08")

    url = f"/api/v1/customers/{customer.user_id}/adherence"
    response = await factory.client.get(
        url, params={"from": "2026-12-07", "to": "2026-12-09"}, headers=coach.headers
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert [(day["date"], day["share"]) for day in data["days"]] == [
        ("2026-12-07", 0.5),
        ("2026-12-08", 1.0),
        ("2026-12-09", 0.0),
    ]
    assert data["overall"] == {"scheduled": 6, "completed": 3, "share": 0.5}
    assert data["byItemType"]["workout"]["completed"] == 3
    assert data["from"] == "2026-12-07"

    assert_error(await factory.client.get(url, headers=other_coach.headers), 404)
    assert_error(await factory.client.get(url, headers=customer.headers), 403)
    backwards = await factory.client.get(
        url, params={"from": "2026-12-09", "to": "2026-12-01"}, headers=coach.headers
    )
    assert_error(backwards, 422)
