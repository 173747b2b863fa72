"""POST /integrations/wearables/webhook: each provider's signature (valid, bad, stale,
replayed) on captured-format payloads; 202 once queued; the workers fetch what Oura, Whoop and
Fitbit only notify from a local stand-in of their APIs; metrics normalized to one unit system,
matched to the customer through their connection, and stored once each."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import ProgressEntry, WearableMetric
from tests.conftest import POSTGRES_URL
from tests.factories import Account, Factory, assert_error, with_settings
from tests.integrations.wearables import (
    FITBIT_DAY,
    OURA_ACTIVITY_ID,
    OURA_SLEEP_ID,
    WEBHOOK,
    WHOOP_WORKOUT_ID,
    connection,
    fitbit_delivery,
    oura_delivery,
    partner_delivery,
    wearable_settings,
    whoop_delivery,
)


@pytest.fixture
def settings_overrides(api_url: str, request: pytest.FixtureRequest) -> dict[str, object]:
    """The providers' settings, and a test's own (`with_settings`) on top."""
    return {**wearable_settings(api_url), **getattr(request, "param", {})}


async def connect(app: FastAPI, customer: Account, provider: str, external_id: str) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        session.add(
            connection(customer.user_id, provider, external_id, app.state.settings.signing_secret)
        )


async def metrics_of(app: FastAPI) -> list[tuple[str, float, str, dict[str, Any]]]:
    async with app.state.sessionmaker() as session:
        rows = await session.execute(
            select(WearableMetric).order_by(WearableMetric.kind, WearableMetric.source_id)
        )
        return [(row.kind, row.value, row.unit, row.details) for row in rows.scalars()]


async def deliver(
    client: httpx.AsyncClient, delivery: tuple[bytes, dict[str, str]], **headers: str
) -> httpx.Response:
    body, signed = delivery
    return await client.post(WEBHOOK, content=body, headers={**signed, **headers})


def _partner_body(samples: list[dict[str, Any]], user: str = "partner-user-42") -> dict[str, Any]:
    return {
        "type": "metrics.recorded",
        "timestamp": "2026-12-07T06:00:00Z",
        "data": {"userId": user, "samples": samples},
    }


SAMPLES = [
    {"id": "s-1", "kind": "steps", "value": 8123, "unit": "count", "start": "2026-12-06T00:00:00Z"},
    {"id": "s-2", "kind": "weight", "value": 176.4, "unit": "lb", "start": "2026-12-06T07:00:00Z"},
    {
        "id": "s-3",
        "kind": "sleep",
        "value": 420,
        "unit": "min",
        "start": "2026-12-05T23:00:00Z",
        "end": "2026-12-06T06:30:00Z",
    },
    {
        "id": "s-4",
        "kind": "workout",
        "value": 45,
        "unit": "min",
        "start": "2026-12-06T17:30:00Z",
        "energyKcal": 375,
    },
]


async def test_a_partner_delivery_is_normalized_stored_once_and_weight_becomes_progress(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    await connect(app, customer, "partner", "partner-user-42")
    delivery = partner_delivery(_partner_body(SAMPLES), clock.now(), "msg_first")

    response = await deliver(client, delivery)
    assert response.status_code == 202, response.text
    data = response.json()["data"]
    assert data == {
        "provider": "partner",
        "deliveryId": "msg_first",
        "duplicate": False,
        "queued": 1,
        "unmatched": 0,
    }
    assert await metrics_of(app) == [
        ("sleep", 25200.0, "s", {}),
        ("steps", 8123.0, "count", {}),
        ("weight", 80.014, "kg", {}),
        ("workout", 2700.0, "s", {"energyKcal": 375.0}),
    ]
    # The same delivery again is the provider's retry: accepted, no effect.
    again = await deliver(client, delivery)
    assert again.status_code == 202, again.text
    assert again.json()["data"]["duplicate"] is True
    # A new delivery carrying the same samples stores nothing twice.
    resent = await deliver(client, partner_delivery(_partner_body(SAMPLES), clock.now()))
    assert resent.json()["data"]["queued"] == 1
    assert len(await metrics_of(app)) == 4
    async with app.state.sessionmaker() as session:
        entries = (await session.execute(select(ProgressEntry))).scalars().all()
    assert [(entry.kind, entry.value, entry.unit) for entry in entries] == [
        ("body_weight", 80.014, "kg")
    ]


async def test_partner_signatures_bad_missing_and_stale_are_refused(
    app: FastAPI, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    body, headers = partner_delivery(_partner_body(SAMPLES), clock.now())
    tampered = body.replace(b"8123", b"9123")
    response = await client.post(WEBHOOK, content=tampered, headers=headers)
    assert_error(response, 401, code="invalid_webhook_signature")
    bare = {"Wearable-Provider": "partner", "content-type": "application/json"}
    response = await client.post(WEBHOOK, content=body, headers=bare)
    assert_error(response, 401, code="invalid_webhook_signature")
    stale = partner_delivery(_partner_body(SAMPLES), clock.now() - timedelta(minutes=10))
    assert_error(await deliver(client, stale), 401, code="webhook_replayed")
    assert await metrics_of(app) == []


@with_settings(wearable_webhook_tolerance_seconds=3_600)
async def test_the_partner_tolerance_is_the_apps_setting_on_the_apps_clock(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    """The library's own verify() holds a fixed 5 minutes against the wall clock; the app's
    setting and clock decide instead (a tolerance of an hour accepts a 30-minute-old
    delivery, and a clock moved a day on refuses today's)."""
    customer = await factory.customer()
    await connect(app, customer, "partner", "partner-user-42")
    half_hour_old = partner_delivery(_partner_body(SAMPLES), clock.now() - timedelta(minutes=30))
    answer = await deliver(client, half_hour_old)
    assert answer.status_code == 202, answer.text
    signed_now = partner_delivery(_partner_body(SAMPLES), clock.now())
    clock.advance(days=1)
    assert_error(await deliver(client, signed_now), 401, code="webhook_replayed")
    signed_a_day_on = partner_delivery(_partner_body(SAMPLES), clock.now())
    assert (await deliver(client, signed_a_day_on)).status_code == 202


async def test_a_partner_body_out_of_format_is_400_and_unknown_users_are_not_queued(
    app: FastAPI, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    bad = [{"id": "x", "kind": "steps", "value": 5, "unit": "furlongs", "start": "2026-12-06"}]
    response = await deliver(client, partner_delivery(_partner_body(bad), clock.now()))
    assert_error(response, 400, code="invalid_webhook_body")
    stranger = partner_delivery(_partner_body(SAMPLES, user="nobody"), clock.now())
    response = await deliver(client, stranger)
    assert response.status_code == 202, response.text
    assert response.json()["data"]["queued"] == 0
    assert response.json()["data"]["unmatched"] == 1


async def test_oura_notifications_are_fetched_from_its_api(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    await connect(app, customer, "oura", "oura-user-1")
    for data_type, object_id in (("daily_activity", OURA_ACTIVITY_ID), ("sleep", OURA_SLEEP_ID)):
        notice = {
            "event_type": "create",
            "data_type": data_type,
            "object_id": object_id,
            "event_time": "2026-12-07T05:55:00+00:00",
            "user_id": "oura-user-1",
        }
        response = await deliver(client, oura_delivery(notice, clock.now()))
        assert response.status_code == 202, response.text
        assert response.json()["data"]["queued"] == 1

    metrics = await metrics_of(app)
    assert [(kind, value, unit) for kind, value, unit, _ in metrics] == [
        ("resting_heart_rate", 49.0, "bpm"),
        ("sleep", 24540.0, "s"),
        ("steps", 8123.0, "count"),
    ]
    assert metrics[1][3] == {"stages": {"deep": 5190, "light": 14280, "rem": 5070, "awake": 2460}}


async def test_oura_signatures_bad_and_stale_are_refused(
    client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    notice = {"event_type": "create", "data_type": "sleep", "object_id": "x", "user_id": "u"}
    body, headers = oura_delivery(notice, clock.now())
    headers["x-oura-signature"] = "0" * 64
    response = await client.post(WEBHOOK, content=body, headers=headers)
    assert_error(response, 401, code="invalid_webhook_signature")
    stale = oura_delivery(notice, clock.now() - timedelta(minutes=6))
    assert_error(await deliver(client, stale), 401, code="webhook_replayed")


async def test_whoop_workouts_are_fetched_with_energy_in_kcal_and_replays_have_no_effect(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    await connect(app, customer, "whoop", "9012")
    notice = {"user_id": 9012, "id": WHOOP_WORKOUT_ID, "type": "workout.updated", "trace_id": "t1"}
    delivery = whoop_delivery(notice, clock.now())

    response = await deliver(client, delivery)
    assert response.status_code == 202, response.text
    assert await metrics_of(app) == [
        ("workout", 2700.0, "s", {"sportId": 1, "energyKcal": 375.1, "averageHeartRate": 123.0})
    ]
    replayed = await deliver(client, delivery)
    assert replayed.json()["data"]["duplicate"] is True
    body, headers = delivery
    headers["X-WHOOP-Signature"] = headers["X-WHOOP-Signature"][::-1]
    response = await client.post(WEBHOOK, content=body, headers=headers)
    assert_error(response, 401, code="invalid_webhook_signature")
    stale = whoop_delivery(notice, clock.now() + timedelta(minutes=6))
    assert_error(await deliver(client, stale), 401, code="webhook_replayed")


async def test_fitbit_notifications_fetch_the_day_and_match_each_owner(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    await connect(app, customer, "fitbit", "228S74")
    notices = [
        {
            "collectionType": collection,
            "date": FITBIT_DAY,
            "ownerId": owner,
            "ownerType": "user",
            "subscriptionId": "1",
        }
        for collection, owner in (("activities", "228S74"), ("body", "228S74"), ("body", "9ZZ"))
    ]
    response = await deliver(client, fitbit_delivery(notices))
    assert response.status_code == 202, response.text
    assert response.json()["data"]["queued"] == 2
    assert response.json()["data"]["unmatched"] == 1
    assert [(kind, value, unit) for kind, value, unit, _ in await metrics_of(app)] == [
        ("resting_heart_rate", 58.0, "bpm"),
        ("steps", 9120.0, "count"),
        ("weight", 80.5, "kg"),
    ]
    # Fitbit signs no timestamp: the same body again is the same delivery.
    again = await deliver(client, fitbit_delivery(notices))
    assert again.json()["data"]["duplicate"] is True
    body, headers = fitbit_delivery(notices)
    response = await client.post(WEBHOOK, content=body + b" ", headers=headers)
    assert_error(response, 401, code="invalid_webhook_signature")


async def test_an_unsigned_or_unknown_provider_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(WEBHOOK, content=b"{}")
    assert_error(response, 401, code="invalid_webhook_signature")
    response = await client.post(WEBHOOK, content=b"{}", headers={"Wearable-Provider": "garmin"})
    assert_error(response, 400, code="unknown_wearable_provider")


@pytest.mark.skipif(not POSTGRES_URL, reason="needs FITCOACH_TEST_POSTGRES_URL")
async def test_concurrent_copies_of_a_delivery_take_effect_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    await connect(app, customer, "partner", "partner-user-42")
    delivery = partner_delivery(_partner_body(SAMPLES), clock.now())
    answers = await asyncio.gather(*(deliver(client, delivery) for _ in range(6)))
    assert [answer.status_code for answer in answers] == [202] * 6
    assert sorted(answer.json()["data"]["duplicate"] for answer in answers) == [False] + [True] * 5
    async with app.state.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(WearableMetric))
    assert count == 4
