"""An admin's grant and change of free days record their event in the request's transaction;
its handler notifies the customer once, however often the event is delivered. The handler runs
right after the commit in a process without worker loops (as the request tests run), and on the
embedded engine's loops within seconds."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.core.clock import FrozenClock
from fitcoach.models import Job, Notification, OutboxEvent, ProcessedEvent, Subscription
from fitcoach.models.enums import NotificationChannel
from fitcoach.notifications.channels import Outbox
from fitcoach.subscriptions.service import subscription_service
from fitcoach.users.service import user_service
from tests.conftest import make_settings
from tests.factories import Factory, assert_error
from tests.notifications.helpers import grant, inbox
from tests.worker.helpers import running_app, wait_until
from tests.worker.processes import RABBITMQ_URL, rabbit_queue, worker_environment, workers

FREE_DAYS = "/api/v1/admin/settings/user/free-days"
WORKING = {
    "worker_embedded": True,
    "scheduler_enabled": False,
    "worker_poll_seconds": 0.05,
    "push_provider": "outbox",
}


async def _events(app: FastAPI, kind: str) -> list[OutboxEvent]:
    async with app.state.sessionmaker() as session:
        return list(await session.scalars(select(OutboxEvent).where(OutboxEvent.type == kind)))


async def _events_in(session: AsyncSession) -> list[OutboxEvent]:
    return list(await session.scalars(select(OutboxEvent)))


async def _notifications(app: FastAPI, user_id: uuid.UUID) -> int:
    async with app.state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == user_id)
        )
    return int(count or 0)


async def test_a_grant_records_its_event_with_the_subscription(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    await grant(client, admin, customer, days=30)

    [event] = await _events(app, "subscriptions.granted")
    async with app.state.sessionmaker() as session:
        subscription = await session.get(Subscription, uuid.UUID(event.subject_id))
    assert subscription is not None
    assert (subscription.user_id, subscription.days) == (customer.id, 30)
    assert (event.subject_type, event.actor_id, event.version) == ("subscription", admin.id, 1)
    assert event.payload["user_id"] == customer.user_id
    assert event.payload["days"] == 30
    # Relayed right after the commit, and handled once.
    assert event.relayed_at is not None
    assert await _notifications(app, customer.id) == 1


async def test_a_change_of_free_days_records_its_event(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    response = await client.post(
        FREE_DAYS, json={"userId": customer.user_id, "freeDays": 21}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    [event] = await _events(app, "subscriptions.free_days_changed")
    assert (event.payload["free_days"], event.payload["previous_free_days"]) == (21, 7)
    [item] = (await inbox(client, customer))["items"]
    assert item["data"] == {"subscriptionId": event.subject_id, "freeDays": 21}


async def test_a_rolled_back_grant_leaves_neither_subscription_nor_event(
    factory: Factory, app: FastAPI, clock: FrozenClock
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    async with app.state.sessionmaker() as session:
        await session.begin()
        granter = await user_service.get(session, admin.id)
        await subscription_service.grant_paid_by(session, granter, customer.id, 30, clock.now())
        await session.flush()
        # Both in the transaction, then both gone with it.
        assert len(await _events_in(session)) == 1
        await session.rollback()
    assert await _events(app, "subscriptions.granted") == []
    async with app.state.sessionmaker() as session:
        paid = await session.scalar(
            select(func.count()).select_from(Subscription).where(Subscription.type == "paid")
        )
    assert paid == 0


async def test_a_refused_request_records_no_event(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    response = await client.post(
        f"/api/v1/admin/users/{uuid.uuid4()}/subscription",
        json={"type": "paid", "days": 30},
        headers=admin.headers,
    )
    assert_error(response, 404, "User not found")
    response = await client.post(
        FREE_DAYS, json={"userId": str(uuid.uuid4()), "freeDays": 21}, headers=admin.headers
    )
    assert response.status_code == 404, response.text
    async with app.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 0
    assert await _notifications(app, customer.id) == 0


async def test_a_redelivered_grant_notifies_once(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    await grant(client, admin, customer)
    async with app.state.sessionmaker() as session:
        [job_id] = (await session.scalars(select(Job.id))).all()
    # Delivered again, as after a lost acknowledgement: the processed-events row stops it.
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(update(Job).values(state="pending", finished_at=None))
    await app.state.worker.runner.run(job_id, set())
    assert await _notifications(app, customer.id) == 1
    # And even with that row gone, the notification's dedupe key (the event) holds.
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(ProcessedEvent.__table__.delete())
        await session.execute(update(Job).values(state="pending", finished_at=None))
    await app.state.worker.runner.run(job_id, set())
    assert await _notifications(app, customer.id) == 1
    async with app.state.sessionmaker() as session:
        assert await session.scalar(select(Job.state).where(Job.id == job_id)) == "succeeded"


async def test_the_embedded_engine_notifies_the_customer_within_seconds(
    app: FastAPI, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    settings = make_settings(database_url, tmp_path, **WORKING)
    async with (
        running_app(settings, clock) as working,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=working), base_url="http://testserver"
        ) as client,
    ):
        factory = Factory(working, client)
        admin, customer = await factory.admin(), await factory.customer()
        response = await client.post(
            "/api/v1/devices",
            json={"kind": "fcm", "token": "fcm-embedded"},
            headers=customer.headers,
        )
        assert response.status_code == 201, response.text
        await grant(client, admin, customer, days=30)

        async def pushed() -> bool:
            outbox: Outbox = working.state.notification_providers.outbox
            return bool(outbox.to(customer.id, NotificationChannel.push))

        await wait_until(pushed, seconds=5, what="the push of the grant")
        data = await inbox(client, customer)
    assert data["unreadCount"] == 1
    assert data["items"][0]["title"] == "Your subscription is active"


@pytest.mark.postgres_only
async def test_a_fitcoach_worker_process_notifies_the_customer(
    app: FastAPI, database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    """The scale-out shape: the serving app only publishes; a `fitcoach worker` on RabbitMQ
    runs the domain's handler (registered by the app's wiring it loads)."""
    async with rabbit_queue() as queue:
        environment = worker_environment(tmp_path, database_url, RABBITMQ_URL, queue)
        settings = make_settings(
            database_url, tmp_path, broker_url=RABBITMQ_URL, broker_queue=queue
        )
        async with (
            workers(environment, tmp_path, 1),
            running_app(settings, clock) as serving,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=serving), base_url="http://testserver"
            ) as client,
        ):
            factory = Factory(serving, client)
            admin, customer = await factory.admin(), await factory.customer()
            await grant(client, admin, customer, days=30)

            async def notified() -> bool:
                return await _notifications(serving, customer.id) == 1

            await wait_until(notified, seconds=60, what="the worker's notification")
    [event] = await _events(app, "subscriptions.granted")
    async with app.state.sessionmaker() as session:
        state = await session.scalar(
            select(Job.state).where(
                Job.dedupe_key == f"event:subscriptions.notify_granted:{event.id}"
            )
        )
    assert state == "succeeded"
