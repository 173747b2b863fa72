"""The rules of notify(): preferences suppress a channel, quiet hours in the user's own time
zone defer (never drop) non-urgent outbound deliveries, and one dedupe key gives one
notification per user however often it is raised."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import Delivery, Notification
from fitcoach.models.enums import NotificationCategory, NotificationChannel
from fitcoach.notifications.channels import Outbox
from fitcoach.notifications.delivery import deliver_due_notifications
from fitcoach.notifications.service import NotificationRequest, notification_service
from tests.factories import Account, Factory, assert_error
from tests.notifications.helpers import deliveries_of, grant, inbox, move_to, register_fcm


async def put_preferences(
    client: httpx.AsyncClient, account: Account, body: dict[str, object]
) -> dict[str, object]:
    response = await client.put(
        "/api/v1/notifications/preferences", json=body, headers=account.headers
    )
    assert response.status_code == 200, response.text
    data: dict[str, object] = response.json()["data"]
    return data


def switches(data: dict[str, object]) -> dict[tuple[str, str], bool]:
    channels = data["channels"]
    assert isinstance(channels, list)
    return {(item["category"], item["channel"]): item["enabled"] for item in channels}


async def test_defaults_and_a_partial_update(client: httpx.AsyncClient, factory: Factory) -> None:
    customer = await factory.customer()
    response = await client.get("/api/v1/notifications/preferences", headers=customer.headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["quietHours"] is None
    assert data["timeZone"] is None
    defaults = switches(data)
    assert defaults[("subscription", "push")] is True
    assert defaults[("trial", "sms")] is True
    assert defaults[("subscription", "email")] is False
    assert len(defaults) == len(NotificationCategory) * len(NotificationChannel)

    data = await put_preferences(
        client,
        customer,
        {
            "channels": [{"category": "subscription", "channel": "push", "enabled": False}],
            "quietHours": {"start": "22:00", "end": "07:00"},
            "timeZone": "Africa/Cairo",
        },
    )
    assert switches(data)[("subscription", "push")] is False
    assert data["quietHours"] == {"start": "22:00:00", "end": "07:00:00"}
    # What a PUT leaves out stays as it was; quietHours: null turns them off.
    data = await put_preferences(client, customer, {"quietHours": None})
    assert data["quietHours"] is None
    assert data["timeZone"] == "Africa/Cairo"
    assert switches(data)[("subscription", "push")] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timeZone": "Mars/Olympus_Mons"}, None),
        ({"timeZone": "../../etc/passwd"}, None),
        ({"channels": [{"category": "nope", "channel": "push", "enabled": True}]}, "channels"),
        ({"channels": [{"category": "trial", "channel": "fax", "enabled": True}]}, "channels"),
        ({"quietHours": {"start": "25:00", "end": "07:00"}}, "quietHours"),
        ({"surprise": True}, "surprise"),
    ],
)
async def test_bad_preferences_are_refused(
    client: httpx.AsyncClient, factory: Factory, body: dict[str, object], field: str | None
) -> None:
    customer = await factory.customer()
    response = await client.put(
        "/api/v1/notifications/preferences", json=body, headers=customer.headers
    )
    assert_error(response, 422)
    if field is not None:
        assert response.json()["errors"][0]["field"].startswith(field)


async def test_a_channel_turned_off_is_not_used(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI, pushes: Outbox
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    await register_fcm(client, customer, "fcm-token-off")
    await put_preferences(
        client,
        customer,
        {"channels": [{"category": "subscription", "channel": "push", "enabled": False}]},
    )
    await grant(client, admin, customer)
    assert pushes.to(customer.id, NotificationChannel.push) == []
    assert set(await deliveries_of(app, customer.id)) == {"in_app"}
    assert (await inbox(client, customer))["unreadCount"] == 1


async def test_in_app_turned_off_keeps_it_out_of_the_inbox_but_still_pushes(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI, pushes: Outbox
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    await register_fcm(client, customer, "fcm-token-in-app-off")
    await put_preferences(
        client,
        customer,
        {"channels": [{"category": "subscription", "channel": "in_app", "enabled": False}]},
    )
    await grant(client, admin, customer)
    data = await inbox(client, customer)
    assert data["items"] == []
    assert data["unreadCount"] == 0
    assert len(pushes.to(customer.id, NotificationChannel.push)) == 1
    assert set(await deliveries_of(app, customer.id)) == {"push"}


async def test_quiet_hours_in_the_users_zone_defer_until_they_end(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI, clock: FrozenClock, pushes: Outbox
) -> None:
    # 21:30 UTC is 23:30 in Cairo (UTC+2, no DST in December): inside 22:00-07:00 there, and
    # outside it in UTC.
    move_to(clock, datetime(2026, 12, 7, 21, 30, tzinfo=UTC))
    admin, customer = await factory.admin(), await factory.customer()
    await register_fcm(client, customer, "fcm-token-quiet")
    await put_preferences(
        client,
        customer,
        {"quietHours": {"start": "22:00", "end": "07:00"}, "timeZone": "Africa/Cairo"},
    )
    await grant(client, admin, customer)

    # The inbox has it at once; the push waits for 07:00 Cairo, 05:00 UTC the next day.
    assert (await inbox(client, customer))["unreadCount"] == 1
    assert pushes.to(customer.id, NotificationChannel.push) == []
    push = (await deliveries_of(app, customer.id))["push"]
    assert push.state == "pending"
    assert push.due_at == datetime(2026, 12, 8, 5, 0, tzinfo=UTC)

    providers = app.state.notification_providers
    move_to(clock, datetime(2026, 12, 8, 4, 59, tzinfo=UTC))
    assert await deliver_due_notifications(app.state.sessionmaker, providers) == 0
    move_to(clock, datetime(2026, 12, 8, 5, 0, tzinfo=UTC))
    assert await deliver_due_notifications(app.state.sessionmaker, providers) == 1
    assert len(pushes.to(customer.id, NotificationChannel.push)) == 1
    assert (await deliveries_of(app, customer.id))["push"].state == "sent"


async def test_outside_quiet_hours_and_urgent_ones_go_at_once(
    factory: Factory, app: FastAPI, clock: FrozenClock, pushes: Outbox, client: httpx.AsyncClient
) -> None:
    move_to(clock, datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    customer = await factory.customer()
    await register_fcm(client, customer, "fcm-token-urgent")
    await put_preferences(
        client, customer, {"quietHours": {"start": "11:00", "end": "13:00"}, "timeZone": "UTC"}
    )
    async with app.state.sessionmaker() as session, session.begin():
        await notification_service.notify(
            session,
            NotificationRequest(
                user_id=customer.id,
                category=NotificationCategory.account,
                title="New sign-in",
                body="Your account was used from a new device.",
                urgent=True,
                dedupe_key="urgent-1",
            ),
            clock.now(),
        )
    assert (await deliveries_of(app, customer.id))["push"].due_at == clock.now()
    await deliver_due_notifications(app.state.sessionmaker, app.state.notification_providers)
    assert [m.title for m in pushes.to(customer.id, NotificationChannel.push)] == ["New sign-in"]


async def test_one_dedupe_key_gives_one_notification(
    factory: Factory, app: FastAPI, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    request = NotificationRequest(
        user_id=customer.id,
        category=NotificationCategory.trial,
        title="Your free trial ends in 2 days",
        body="...",
        dedupe_key="trial.ending:same-event",
    )
    results = []
    for _ in range(3):
        async with app.state.sessionmaker() as session, session.begin():
            results.append(await notification_service.notify(session, request, clock.now()))
    assert results[0] is not None
    assert results[1:] == [None, None]
    async with app.state.sessionmaker() as session:
        notifications = await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == customer.id)
        )
        channels = (
            await session.scalars(
                select(Delivery.channel).where(Delivery.notification_id == results[0].id)
            )
        ).all()
    assert notifications == 1
    assert sorted(channels) == ["in_app", "push", "sms"]
