"""The live channel against real servers: a notification committed on one app instance reaches
a stream open on another (Redis and the database shared), a reconnect with Last-Event-ID
replays what was missed, tickets open a stream once, and a blocked user's stream closes."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from fitcoach.app import create_app
from fitcoach.core.clock import FrozenClock
from tests.conftest import REDIS_URL, make_settings
from tests.factories import Factory, assert_error, with_settings
from tests.notifications.helpers import grant
from tests.stream.live import open_stream, served, until

# Shared by the two instances of a test, and by nothing else on this Redis.
CHANNEL = f"fitcoach-test-stream-{uuid.uuid4().hex}"


def open_streams(app: FastAPI) -> int:
    count: int = app.state.stream_broker.open_streams()
    return count


@pytest.mark.skipif(not REDIS_URL, reason="needs FITCOACH_TEST_REDIS_URL")
@with_settings(stream_redis_channel=CHANNEL)
async def test_a_notification_committed_on_one_instance_reaches_a_stream_on_another(
    app: FastAPI,
    client: httpx.AsyncClient,
    factory: Factory,
    database_url: str,
    tmp_path: Path,
    clock: FrozenClock,
) -> None:
    other = create_app(
        make_settings(
            database_url,
            tmp_path,
            stream_redis_channel=CHANNEL,
            push_provider="outbox",
            stream_max_seconds=60,
        ),
        clock=clock,
    )
    assert other.state.stream_broker.name == "redis"
    admin, customer = await factory.admin(), await factory.customer()
    async with (
        other.router.lifespan_context(other),
        served(other) as other_url,
        open_stream(other_url, headers=customer.headers) as stream,
    ):
        await until(lambda: open_streams(other) == 1)
        # Committed through the first instance (the in-process client), streamed by the other.
        await grant(client, admin, customer, days=30)
        event = await stream.next()
        assert event is not None
        assert event.event == "notification"
        assert event.id is not None
        assert int(event.id) > 0
        payload = json.loads(event.data)
        assert payload["title"] == "Your subscription is active"
        assert payload["data"]["days"] == 30
    await until(lambda: open_streams(other) == 0)


async def test_a_reconnect_with_last_event_id_replays_what_was_missed(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer, bystander = (
        await factory.admin(),
        await factory.customer(),
        await factory.customer(),
    )
    async with served(app) as url:
        async with open_stream(url, headers=customer.headers) as stream:
            await until(lambda: open_streams(app) == 1)
            await grant(client, admin, customer, days=1)
            first = await stream.next()
            assert first is not None
        # Missed while disconnected; the bystander's is not theirs to see.
        await grant(client, admin, customer, days=2)
        await grant(client, admin, bystander, days=99)
        await grant(client, admin, customer, days=3)
        assert first.id is not None
        resumed = {**customer.headers, "Last-Event-ID": first.id}
        async with open_stream(url, headers=resumed) as stream:
            replayed = [await stream.next(), await stream.next()]
            days = [json.loads(event.data)["data"]["days"] for event in replayed if event]
            assert days == [2, 3]
            ids = [int(event.id) for event in replayed if event and event.id]
            assert ids == sorted(ids)
            assert ids[0] > int(first.id)
            # And live again after the replay.
            await grant(client, admin, customer, days=4)
            live = await stream.next()
            assert live is not None
            assert json.loads(live.data)["data"]["days"] == 4


async def test_a_ticket_opens_one_stream_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    response = await client.post("/api/v1/stream/tickets", headers=customer.headers)
    assert response.status_code == 201, response.text
    ticket = response.json()["data"]["ticket"]
    async with served(app) as url:
        async with open_stream(url, params={"ticket": ticket}):
            await until(lambda: open_streams(app) == 1)
        assert_error(await client.get("/api/v1/stream", params={"ticket": ticket}), 401)

    expiring = (await client.post("/api/v1/stream/tickets", headers=customer.headers)).json()
    clock.advance(seconds=61)
    response = await client.get("/api/v1/stream", params={"ticket": expiring["data"]["ticket"]})
    assert_error(response, 401, "Invalid or expired stream ticket")
    assert_error(await client.get("/api/v1/stream"), 401)
    assert_error(await client.post("/api/v1/stream/tickets"), 401)
    response = await client.get(
        "/api/v1/stream", headers={**customer.headers, "Last-Event-ID": "not-a-number"}
    )
    assert_error(response, 422)


@with_settings(stream_heartbeat_seconds=0.2)
async def test_a_blocked_users_stream_closes(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    async with served(app) as url, open_stream(url, headers=customer.headers) as stream:
        await until(lambda: open_streams(app) == 1)
        response = await client.post(
            f"/api/v1/admin/users/{customer.id}/block", headers=admin.headers
        )
        assert response.status_code == 200, response.text
        assert await stream.next(wait_seconds=5) is None
        assert stream.comments, "heartbeats were sent while the stream was open"
    response = await client.get("/api/v1/stream", headers=customer.headers)
    assert_error(response, 403)


@with_settings(stream_max_seconds=0.3)
async def test_a_stream_ends_after_its_longest_life(app: FastAPI, factory: Factory) -> None:
    customer = await factory.customer()
    async with served(app) as url, open_stream(url, headers=customer.headers) as stream:
        assert await stream.next(wait_seconds=3) is None
