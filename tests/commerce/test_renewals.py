"""Renewals and dunning on a moved clock, through HTTP: bought, renewed at the period end with
the saved method, then a failed renewal makes the subscription past due (the customer keeps
access and is told by push and e-mail), retried 1, 3, 5 and 7 days later, then expired: the
customer is back on the free terms, sees the default plans, and /auth/me says so at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import Delivery, EntitlementEntry, Invoice, Notification, Order, OutboxEvent
from tests.commerce.billing import bill, me, product_terms, subscribe
from tests.commerce.helpers import METHODS, coach_product, run_event_handlers
from tests.factories import Account, Factory, with_settings
from tests.notifications.helpers import inbox, move_to, register_fcm
from tests.plans.payloads import create_plan, set_default_plan, signed_in_again

START = datetime(2027, 1, 4, 12, tzinfo=UTC)


async def _at(
    client: httpx.AsyncClient, clock: FrozenClock, buyer: Account, moment: datetime
) -> None:
    move_to(clock, moment)
    buyer.headers = await signed_in_again(client, buyer)


async def _channels(app: FastAPI, title: str) -> set[str]:
    """The channels the first notification of this title went out on."""
    async with app.state.sessionmaker() as session:
        notification_id = await session.scalar(
            select(Notification.id).where(Notification.title == title).limit(1)
        )
        rows = await session.scalars(
            select(Delivery.channel).where(Delivery.notification_id == notification_id)
        )
        return set(rows)


@with_settings(push_provider="outbox", email_provider="outbox")
async def test_buy_renew_fail_dun_expire_and_fall_back(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    move_to(clock, START)
    admin = await factory.admin()
    default = await create_plan(client, admin)
    await set_default_plan(client, admin, "training", default["id"])
    _, product = await coach_product(client, factory, **product_terms(8400, 4))
    buyer = await factory.customer(email="dunned@example.com")
    await register_fcm(client, buyer, "fcm-dunned")
    subscription_id = await subscribe(client, buyer, product["id"])
    first_end = START + timedelta(days=28)

    # Not due a minute early; renewed at the period end with the saved method.
    await _at(client, clock, buyer, first_end - timedelta(minutes=1))
    assert (await bill(app)).renewed == 0
    await _at(client, clock, buyer, first_end)
    assert (await bill(app)).renewed == 1
    assert (await bill(app)).renewed == 0
    second_end = first_end + timedelta(days=28)
    subscription = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    assert subscription["id"] == subscription_id
    assert subscription["endsAt"] == second_end.isoformat().replace("+00:00", ".000Z")

    # The renewed period grants its sessions, as the purchase did.
    await run_event_handlers(app)
    async with app.state.sessionmaker() as session:
        renewal_id = await session.scalar(select(Order.id).where(Order.paid_at == first_end))
        granted = (
            await session.scalars(
                select(EntitlementEntry.source).where(
                    EntitlementEntry.source.like(f"order:{renewal_id}:%")
                )
            )
        ).all()
    assert len(granted) == 1  # 28 days: one month's grant

    # The customer removes their saved method: the next renewal cannot be paid.
    methods = (await client.get(METHODS, headers=buyer.headers)).json()["data"]["items"]
    for method in methods:
        removed = await client.delete(f"{METHODS}/{method['id']}", headers=buyer.headers)
        assert removed.status_code in (200, 204), removed.text
    await _at(client, clock, buyer, second_end)
    assert (await bill(app)).failed == 1
    shown = await me(client, buyer)
    # Past due: access kept while the renewal is retried.
    assert (shown["subscriptionType"], shown["subscriptionStatus"]["subscription"]["id"]) == (
        "paid",
        subscription_id,
    )
    await run_event_handlers(app)
    titles = [item["title"] for item in (await inbox(client, buyer))["items"]]
    assert "Your subscription payment failed" in titles
    assert await _channels(app, "Your subscription payment failed") == {"in_app", "push", "email"}

    for day in (1, 3, 5):
        await _at(client, clock, buyer, second_end + timedelta(days=day))
        assert (await bill(app)).failed == 1
        assert (await bill(app)).failed == 0
        assert (await me(client, buyer))["subscriptionType"] == "paid"
    await _at(client, clock, buyer, second_end + timedelta(days=7))
    assert (await bill(app)).expired == 1

    # The very next request shows the fallback: the free terms and the default plans.
    shown = await me(client, buyer)
    assert (shown["isSubscribed"], shown["subscriptionType"]) == (True, "free")
    plan = await client.get(f"/api/v1/plans/training/{buyer.user_id}", headers=buyer.headers)
    assert plan.status_code == 200, plan.text
    assert (plan.json()["data"]["source"], plan.json()["data"]["plan"]["id"]) == (
        "default",
        default["id"],
    )
    await run_event_handlers(app)
    titles = [item["title"] for item in (await inbox(client, buyer))["items"]]
    assert titles.count("Your subscription payment failed") == 5
    assert "Your subscription has ended" in titles
    async with app.state.sessionmaker() as session:
        orders = (await session.scalars(select(Order.status).order_by(Order.created_at))).all()
        invoices = (
            await session.scalars(select(Invoice.status).order_by(Invoice.created_at))
        ).all()
        failures = (
            await session.scalars(
                select(OutboxEvent.id).where(OutboxEvent.type == "commerce.renewal_failed")
            )
        ).all()
    assert list(orders) == ["paid", "paid", "failed"]
    assert list(invoices) == ["paid", "paid", "void"]
    assert len(failures) == 5
    assert (await bill(app)) == type(await bill(app))()
