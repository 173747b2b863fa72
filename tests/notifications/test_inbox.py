"""The inbox over HTTP: an admin's grant lands in the customer's inbox (and push), with the
unread count; read marks; each user sees and marks only their own."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from fitcoach.core.clock import FrozenClock
from fitcoach.models.enums import NotificationChannel
from fitcoach.notifications.channels import Outbox
from tests.factories import Factory, assert_error
from tests.notifications.helpers import deliveries_of, grant, inbox, register_fcm


async def test_a_granted_subscription_reaches_the_inbox_and_the_devices(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI, pushes: Outbox
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    await register_fcm(client, customer, "fcm-token-1")

    await grant(client, admin, customer, days=30)

    data = await inbox(client, customer)
    assert data["unreadCount"] == 1
    assert data["pagination"]["total"] == 1
    [item] = data["items"]
    assert item["category"] == "subscription"
    assert item["title"] == "Your subscription is active"
    assert item["data"]["days"] == 30
    assert item["readAt"] is None
    [pushed] = pushes.to(customer.id, NotificationChannel.push)
    assert pushed.title == item["title"]
    deliveries = await deliveries_of(app, customer.id)
    assert {channel: row.state for channel, row in deliveries.items()} == {
        "in_app": "sent",
        "push": "sent",
    }
    assert deliveries["push"].attempts == 1
    # The admin's own inbox is untouched.
    assert (await inbox(client, admin))["unreadCount"] == 0


async def test_mark_one_and_all_read(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    for days in (10, 20, 30):
        await grant(client, admin, customer, days=days)
        clock.advance(seconds=1)

    newest_first = [item["data"]["days"] for item in (await inbox(client, customer))["items"]]
    assert newest_first == [30, 20, 10]
    first = (await inbox(client, customer))["items"][0]
    response = await client.post(
        f"/api/v1/notifications/{first['id']}/read", headers=customer.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["readAt"] is not None
    data = await inbox(client, customer, "?unreadOnly=true")
    assert data["unreadCount"] == 2
    assert [item["data"]["days"] for item in data["items"]] == [20, 10]

    response = await client.post("/api/v1/notifications/read-all", headers=customer.headers)
    assert response.json()["data"] == {"marked": 2}
    assert (await inbox(client, customer))["unreadCount"] == 0


async def test_pages_of_the_inbox(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    for days in range(1, 6):
        await grant(client, admin, customer, days=days)
        clock.advance(seconds=1)
    data = await inbox(client, customer, "?page=2&pageSize=2")
    assert [item["data"]["days"] for item in data["items"]] == [3, 2]
    assert data["pagination"] == {
        "page": 2,
        "pageSize": 2,
        "total": 5,
        "totalPages": 3,
        "totalIsExact": True,
    }
    assert data["unreadCount"] == 5


async def test_nobody_reads_or_marks_another_users_notifications(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer, other = (
        await factory.admin(),
        await factory.customer(),
        await factory.customer(),
    )
    await grant(client, admin, customer)
    notification_id = (await inbox(client, customer))["items"][0]["id"]

    assert (await inbox(client, other))["items"] == []
    response = await client.post(
        f"/api/v1/notifications/{notification_id}/read", headers=other.headers
    )
    assert_error(response, 404, "Notification not found")
    await client.post("/api/v1/notifications/read-all", headers=other.headers)
    assert (await inbox(client, customer))["unreadCount"] == 1
    assert_error(await client.get("/api/v1/notifications"), 401)
    response = await client.post("/api/v1/notifications/not-a-uuid/read", headers=customer.headers)
    assert_error(response, 422)


async def test_a_change_of_free_days_notifies_the_customer(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    response = await client.post(
        "/api/v1/admin/settings/user/free-days",
        json={"userId": customer.user_id, "freeDays": 21},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    [item] = (await inbox(client, customer))["items"]
    assert item["title"] == "Your free trial has changed"
    assert item["data"]["freeDays"] == 21
