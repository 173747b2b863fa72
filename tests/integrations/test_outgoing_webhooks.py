"""Outgoing webhooks, delivered by the embedded workers to a local receiver that verifies each
delivery with the `standardwebhooks` library: signed bodies, retry after a 500, an endpoint
that times out, redelivery, and who may manage endpoints."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from standardwebhooks import Webhook

from fitcoach.core.clock import FrozenClock
from fitcoach.integrations.webhooks.payloads import shared_fields
from fitcoach.integrations.webhooks.service import DELIVER_JOB
from fitcoach.messaging.threads.events import MessageSent
from fitcoach.models import AuditEntry, Job, WebhookDelivery, WebhookEndpoint
from tests.automations.events import WORKOUT, log_workout
from tests.factories import Account, Factory, assert_error, with_settings
from tests.integrations.api_keys import issue_key, keyed
from tests.integrations.webhooks import (
    WEBHOOKS,
    deliveries,
    receiving,
    settled,
    subscribe,
)
from tests.robustness.concurrency import at_once
from tests.worker.helpers import wait_until

DELIVERING = with_settings(
    worker_embedded=True,
    scheduler_enabled=False,
    worker_poll_seconds=0.05,
    webhook_retry_base_seconds=0,
    webhook_retry_max_seconds=0,
    webhook_max_attempts=3,
    webhook_timeout_seconds=5,
)


@pytest.fixture
async def admin(factory: Factory) -> Account:
    return await factory.admin()


@DELIVERING
async def test_a_subscribed_event_is_delivered_signed_and_logged(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    customer = await factory.customer()
    async with receiving() as receiver:
        endpoint = await subscribe(client, admin, f"{receiver.url}/hook", WORKOUT)
        assert endpoint["secret"].startswith("whsec_")
        assert endpoint["eventTypes"] == [WORKOUT]
        event = await log_workout(app, customer.id, clock.now(), status="skipped", note="sore")
        [delivery] = await settled(client, admin, endpoint["id"])

    [received] = receiver.received
    verified = Webhook(endpoint["secret"]).verify(received.body, received.headers)
    assert verified == {
        "type": WORKOUT,
        "timestamp": event.occurred_at.isoformat(),
        "data": {
            "eventId": str(event.id),
            "subjectType": "customer",
            "subjectId": str(customer.id),
            "customerId": str(customer.id),
            "status": "skipped",
            "minutes": 30,
            "note": "sore",
        },
    }
    assert received.headers["webhook-id"] == delivery["id"]
    assert (delivery["status"], delivery["attempts"], delivery["responseCode"]) == (
        "succeeded",
        1,
        200,
    )
    assert delivery["durationMs"] >= 0
    assert delivery["deliveredAt"] is not None
    assert delivery["eventId"] == str(event.id)
    # Shown once: neither the list, the endpoint, the log nor the audit trail holds it.
    listed = await client.get(WEBHOOKS, headers=admin.headers)
    one = await client.get(f"{WEBHOOKS}/{endpoint['id']}", headers=admin.headers)
    log = await client.get(f"{WEBHOOKS}/{endpoint['id']}/deliveries", headers=admin.headers)
    for answer in (listed, one, log):
        assert endpoint["secret"] not in answer.text
        assert endpoint["secret"].removeprefix("whsec_") not in answer.text
    async with app.state.sessionmaker() as session:
        trail = [row.details for row in (await session.scalars(select(AuditEntry))).all()]
        stored = (await session.scalars(select(WebhookEndpoint))).one()
    assert endpoint["secret"] not in json.dumps(trail)
    assert endpoint["secret"] not in stored.secret_sealed


@DELIVERING
async def test_a_500_is_retried_with_the_same_webhook_id(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    customer = await factory.customer()
    async with receiving() as receiver:
        receiver.answers = [500]
        endpoint = await subscribe(client, admin, f"{receiver.url}/hook", WORKOUT)
        await log_workout(app, customer.id, clock.now())
        [delivery] = await settled(client, admin, endpoint["id"])

    assert (delivery["status"], delivery["attempts"], delivery["responseCode"]) == (
        "succeeded",
        2,
        200,
    )
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery["id"]
    for attempt in (first, second):
        Webhook(endpoint["secret"]).verify(attempt.body, attempt.headers)


@with_settings(
    worker_embedded=True,
    scheduler_enabled=False,
    worker_poll_seconds=0.05,
    webhook_retry_base_seconds=0,
    webhook_max_attempts=2,
    webhook_timeout_seconds=0.5,
)
async def test_an_endpoint_that_times_out_fails_after_the_last_attempt(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    customer = await factory.customer()
    async with receiving() as receiver:
        endpoint = await subscribe(client, admin, f"{receiver.url}/slow", WORKOUT)
        await log_workout(app, customer.id, clock.now())
        [delivery] = await settled(client, admin, endpoint["id"])
        assert len(receiver.received) == 2

    assert (delivery["status"], delivery["attempts"], delivery["responseCode"]) == (
        "failed",
        2,
        None,
    )
    assert delivery["lastError"] == "timed out after 0.5 s"
    assert delivery["nextAttemptAt"] is None


@DELIVERING
async def test_a_failed_delivery_can_be_redelivered(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    customer = await factory.customer()
    async with receiving() as receiver:
        receiver.answers = [500, 502, 503]
        endpoint = await subscribe(client, admin, f"{receiver.url}/hook", WORKOUT)
        await log_workout(app, customer.id, clock.now())
        [failed] = await settled(client, admin, endpoint["id"])
        assert (failed["status"], failed["attempts"], failed["responseCode"]) == (
            "failed",
            3,
            503,
        )
        assert failed["lastError"] == "answered 503"

        path = f"{WEBHOOKS}/{endpoint['id']}/deliveries/{failed['id']}/redeliver"
        response = await client.post(path, headers=admin.headers)
        assert response.status_code == 202, response.text
        assert response.json()["data"]["status"] == "pending"

        async def redelivered() -> bool:
            [item] = await deliveries(client, admin, endpoint["id"])
            return item["status"] == "succeeded"

        await wait_until(redelivered, what="the redelivery")
    [delivery] = await deliveries(client, admin, endpoint["id"])
    assert (delivery["attempts"], delivery["responseCode"]) == (1, 200)
    assert len(receiver.received) == 4
    assert receiver.received[-1].headers["webhook-id"] == failed["id"]
    # Another endpoint's id, or an unknown delivery, is not found.
    other = f"{WEBHOOKS}/{uuid.uuid4()}/deliveries/{failed['id']}/redeliver"
    assert_error(await client.post(other, headers=admin.headers), 404)


async def test_endpoints_are_changed_disabled_and_deleted(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    endpoint = await subscribe(client, admin, "https://partner.example.com/hook", WORKOUT)
    path = f"{WEBHOOKS}/{endpoint['id']}"
    response = await client.patch(
        path,
        json={"enabled": False, "description": "Paused for the migration"},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["enabled"], data["description"], data["eventTypes"]) == (
        False,
        "Paused for the migration",
        [WORKOUT],
    )
    assert_error(
        await client.patch(path, json={"eventTypes": ["no.such_event"]}, headers=admin.headers),
        422,
        code="unknown_webhook_event_type",
    )
    assert (await client.delete(path, headers=admin.headers)).status_code == 200
    assert_error(await client.get(path, headers=admin.headers), 404)


@pytest.mark.parametrize(
    "url",
    ["http://partner.example.com/hook", "ftp://partner.example.com", "https://user@host/x?a=1"],
)
async def test_an_endpoint_must_be_https_or_loopback(
    client: httpx.AsyncClient, admin: Account, url: str
) -> None:
    response = await client.post(
        WEBHOOKS, json={"url": url, "eventTypes": [WORKOUT]}, headers=admin.headers
    )
    assert_error(response, 422)


async def test_only_admins_and_keys_with_the_scope_manage_webhooks(
    client: httpx.AsyncClient, factory: Factory, admin: Account
) -> None:
    coach, customer = await factory.coach(), await factory.customer()
    body = {"url": "https://partner.example.com/hook", "eventTypes": [WORKOUT]}
    for caller in (coach, customer):
        assert_error(await client.post(WEBHOOKS, json=body, headers=caller.headers), 403)
        assert_error(await client.get(WEBHOOKS, headers=caller.headers), 403)
    assert_error(await client.post(WEBHOOKS, json=body), 401)

    manager = await issue_key(client, admin, scopes=("webhooks:manage",))
    reader = await issue_key(client, admin, scopes=("customers:read",))
    created = await subscribe(client, keyed(manager["key"]), body["url"], WORKOUT)
    listed = await client.get(WEBHOOKS, headers=keyed(manager["key"]))
    assert [item["id"] for item in listed.json()["data"]["items"]] == [created["id"]]
    assert_error(await client.get(WEBHOOKS, headers=keyed(reader["key"])), 403)


async def test_two_redeliveries_at_once_start_one_series_of_attempts(
    app: FastAPI, client: httpx.AsyncClient, admin: Account
) -> None:
    endpoint = await subscribe(client, admin, "http://127.0.0.1:9/hook", WORKOUT)
    delivery_id = uuid.uuid4()
    async with app.state.sessionmaker() as session, session.begin():
        session.add(
            WebhookDelivery(
                id=delivery_id,
                endpoint_id=uuid.UUID(endpoint["id"]),
                event_id=uuid.uuid4(),
                event_type=WORKOUT,
                source="subscription",
                payload={"type": WORKOUT},
                status="failed",
                attempts=3,
                series=1,
            )
        )
    path = f"{WEBHOOKS}/{endpoint['id']}/deliveries/{delivery_id}/redeliver"
    answers = await at_once(client.post(path, headers=admin.headers) for _ in range(2))
    assert sorted(answer.status_code for answer in answers) == [202, 409]
    async with app.state.sessionmaker() as session:
        jobs = (await session.scalars(select(Job).where(Job.name == DELIVER_JOB))).all()
        stored = await session.get(WebhookDelivery, delivery_id)
    # One series of attempts began (its first job once), whatever its attempts did since.
    assert {job.args["series"] for job in jobs} == {2}
    assert [job.dedupe_key for job in jobs].count(f"webhook:{delivery_id}:2:0") == 1
    assert stored is not None
    assert stored.series == 2


def test_a_message_event_shares_that_a_message_was_sent_not_what_it_said() -> None:
    event = MessageSent(
        occurred_at=FrozenClock().now(),
        actor_id=uuid.uuid4(),
        subject_type="thread",
        subject_id=str(uuid.uuid4()),
        thread_id=uuid.uuid4(),
        sender_name="Coach Carol",
        recipient_ids=[uuid.uuid4()],
        preview="Your blood test results",
        message={"body": "Your blood test results"},
    )
    shared = shared_fields(event)
    assert set(shared) == {"eventId", "subjectType", "subjectId", "threadId", "recipientIds"}
