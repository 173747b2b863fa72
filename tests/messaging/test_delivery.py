"""MessageSent after the commit: a recipient with a stream open anywhere (another server worker,
through Redis) gets the message live and no push; one with no stream open is notified (inbox
and push, by their preferences). Read receipts reach the sender's stream."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.app import create_app
from fitcoach.core.clock import FrozenClock
from fitcoach.models import Notification
from tests.conftest import REDIS_URL, make_settings
from tests.factories import Factory
from tests.messaging.helpers import read_up_to, sent
from tests.stream.live import open_stream, served, until
from tests.worker.helpers import wait_until

CHANNEL = f"fitcoach-test-messages-{uuid.uuid4().hex}"
WORKING = {
    "worker_embedded": True,
    "scheduler_enabled": False,
    "worker_poll_seconds": 0.05,
    "push_provider": "outbox",
    "stream_max_seconds": 60,
    "stream_redis_channel": CHANNEL,
}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(WORKING)


async def message_notifications(app: FastAPI, user_id: uuid.UUID) -> list[Notification]:
    async with app.state.sessionmaker() as session:
        found = await session.scalars(
            select(Notification).where(
                Notification.user_id == user_id, Notification.category == "messages"
            )
        )
        return list(found)


async def test_a_recipient_without_a_stream_is_notified_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    message = await sent(client, admin, customer, "Your plan is ready")

    async def notified() -> bool:
        return bool(await message_notifications(app, customer.id))

    await wait_until(notified, what="the message notification")
    [notification] = await message_notifications(app, customer.id)
    assert notification.body == "Your plan is ready"
    assert notification.data == {"threadId": message["threadId"], "messageId": message["id"]}
    assert notification.dedupe_key == f"message:{message['id']}"


async def test_a_connected_recipient_gets_the_message_live_and_receipts_come_back(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    async with (
        served(app) as url,
        open_stream(url, headers=customer.headers) as theirs,
        open_stream(url, headers=admin.headers) as mine,
    ):
        await until(lambda: app.state.stream_broker.open_streams() == 2)
        message = await sent(client, admin, customer, "Live?")
        event = await theirs.next()
        assert event is not None
        assert event.event == "message"
        assert json.loads(event.data)["id"] == message["id"]
        assert json.loads(event.data)["body"] == "Live?"
        response = await read_up_to(client, customer, message["threadId"], message["id"])
        assert response.status_code == 200
        receipt = await mine.next()
        assert receipt is not None
        assert receipt.event == "thread.read"
        assert json.loads(receipt.data) == {
            "threadId": message["threadId"],
            "userId": customer.user_id,
            "upToMessageId": message["id"],
        }
        own = await theirs.next()
        assert own is not None
        assert json.loads(own.data)["unreadCount"] == 0
    assert await message_notifications(app, customer.id) == []


@pytest.mark.skipif(not REDIS_URL, reason="needs FITCOACH_TEST_REDIS_URL")
async def test_a_stream_open_on_another_server_worker_gets_the_message_and_no_push(
    app: FastAPI,
    client: httpx.AsyncClient,
    factory: Factory,
    database_url: str,
    tmp_path: Path,
    clock: FrozenClock,
) -> None:
    other = create_app(
        make_settings(database_url, tmp_path, **{**WORKING, "worker_embedded": False}),
        clock=clock,
    )
    admin, customer = await factory.admin(), await factory.customer()
    async with (
        other.router.lifespan_context(other),
        served(other) as other_url,
        open_stream(other_url, headers=customer.headers) as stream,
    ):
        await until(lambda: other.state.stream_broker.open_streams() == 1)
        assert await app.state.stream_broker.is_connected(customer.id)
        # Sent through the first worker, whose background loop delivers it.
        message = await sent(client, admin, customer, "Across workers")
        event = await stream.next()
        assert event is not None
        assert event.event == "message"
        assert json.loads(event.data)["id"] == message["id"]
    assert await message_notifications(app, customer.id) == []

    async def gone() -> bool:
        return not await app.state.stream_broker.is_connected(customer.id)

    await wait_until(gone, seconds=5, what="the stream's presence to end")
