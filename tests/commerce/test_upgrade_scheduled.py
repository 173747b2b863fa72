"""An upgrade scheduled for a later day (effectiveDate): quoted and stored with nothing charged,
then charged off-session with the saved method and applied by the billing run on its day (from
the customer's local midnight, across a DST change too), exactly as the preview said; a bank
that wants authentication fails it and the customer is told; withdrawn before its day; holding
off every other change meanwhile; applied once by two billing runs at once (PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import Invoice, Order, OutboxEvent, Payment, SubscriptionChange
from tests.commerce.billing import (
    bill,
    change,
    changed,
    me,
    product_terms,
    set_time_zone,
    subscribe,
)
from tests.commerce.helpers import coach_product, confirm, placed, run_event_handlers
from tests.factories import Account, Factory, assert_error
from tests.notifications.helpers import inbox, move_to
from tests.plans.payloads import signed_in_again

START = datetime(2027, 1, 4, 12, tzinfo=UTC)
# Scheduled for 18 January (UTC, the customer's zone): 14 days of the period (to 1 February)
# are left from it, at 300 a day credited and 500 a day charged.
DAY = "2027-01-18"
EFFECTIVE_AT = datetime(2027, 1, 18, tzinfo=UTC)
CREDIT, CHARGE = 14 * 300, 14 * 500
# 8 more sessions a month, for 14 of the period's only month's 28 days.
TOP_UP = (1, 4, "2027-01-18T00:00:00.000Z", "2027-02-01T12:00:00.000Z")
_DEARER = {
    "included": {
        "sessionsPerMonth": 12,
        "customTrainingPlan": True,
        "customDietPlan": True,
        "chatAccess": True,
    }
}


async def _subscribed(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, start: datetime = START
) -> tuple[Account, str, dict[str, Any], dict[str, Any]]:
    """A customer subscribed on `start` to a 4-week product of 4 sessions a month (300 a day,
    pm_card_visa saved), and a dearer one of 12 (500 a day)."""
    move_to(clock, start)
    _, current = await coach_product(client, factory, **product_terms(8400, 4))
    _, dearer = await coach_product(client, factory, **product_terms(14000, 4, **_DEARER))
    buyer = await factory.customer()
    return buyer, await subscribe(client, buyer, current["id"]), current, dearer


async def _at(
    client: httpx.AsyncClient, clock: FrozenClock, buyer: Account, moment: datetime
) -> None:
    move_to(clock, moment)
    buyer.headers = await signed_in_again(client, buyer)


async def _count(app: FastAPI, model: Any, *where: Any) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def _changed_events(app: FastAPI) -> list[dict[str, Any]]:
    async with app.state.sessionmaker() as session:
        payloads = await session.scalars(
            select(OutboxEvent.payload)
            .where(OutboxEvent.type == "commerce.subscription_changed")
            .order_by(OutboxEvent.occurred_at)
        )
        return list(payloads)


async def _upgrade_grants(client: httpx.AsyncClient, buyer: Account) -> list[tuple[Any, ...]]:
    response = await client.get(
        f"/api/v1/customers/{buyer.user_id}/entitlements",
        params={"pageSize": 100},
        headers=buyer.headers,
    )
    assert response.status_code == 200, response.text
    return [
        (item["amount"], item["validFrom"], item["validUntil"])
        for item in response.json()["data"]["items"]
        if item["kind"] == "grant" and "upgrade" in item["reason"]
    ]


async def _titles(client: httpx.AsyncClient, account: Account) -> list[str]:
    return [item["title"] for item in (await inbox(client, account))["items"]]


def _quote(answer: dict[str, Any]) -> tuple[Any, ...]:
    return (
        answer["effectiveAt"],
        answer["proration"],
        answer["amountDue"],
        answer["tax"],
        answer["productId"],
        answer["entitlements"],
        [
            (one["month"], one["sessions"], one["validFrom"], one["validUntil"])
            for one in answer["sessionsAdded"]
        ],
    )


async def test_a_scheduled_upgrade_is_charged_and_applied_on_its_day_as_previewed(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, current, dearer = await _subscribed(client, factory, clock)
    body = {"action": "upgrade", "targetProductId": dearer["id"], "effectiveDate": DAY}
    preview = (await change(client, buyer, subscription_id, preview=True, **body)).json()["data"]
    assert (preview["status"], preview["appliesNow"], preview["preview"]) == (
        "scheduled",
        False,
        True,
    )
    assert _quote(preview) == (
        "2027-01-18T00:00:00.000Z",
        {"remainingDays": 14, "credit": CREDIT, "charge": CHARGE},
        CHARGE - CREDIT,
        0,
        dearer["id"],
        _DEARER["included"],
        [TOP_UP],
    )

    scheduled = await changed(client, buyer, subscription_id, **body)
    assert (scheduled["status"], scheduled["appliesNow"], scheduled["invoice"]) == (
        "scheduled",
        False,
        None,
    )
    assert _quote(scheduled) == _quote(preview)
    assert scheduled["subscription"]["productId"] == current["id"]
    await run_event_handlers(app)
    assert "Your subscription upgrade is scheduled" in await _titles(client, buyer)

    # Nothing is charged nor granted before the day, up to its last minute.
    await _at(client, clock, buyer, EFFECTIVE_AT - timedelta(minutes=1))
    assert (await bill(app)).upgraded == 0
    await run_event_handlers(app)
    assert (await _count(app, Payment), await _count(app, Order)) == (1, 1)
    assert await _upgrade_grants(client, buyer) == []
    shown = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    assert shown["productId"] == current["id"]

    # On the day: charged with the saved method, applied, and only once.
    await _at(client, clock, buyer, EFFECTIVE_AT)
    assert (await bill(app)).upgraded == 1
    assert (await bill(app)).upgraded == 0
    shown = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    assert (shown["productId"], shown["entitlements"]) == (dearer["id"], _DEARER["included"])
    assert shown["endsAt"] == scheduled["periodEndsAt"]
    async with app.state.sessionmaker() as session:
        upgrade = await session.get(SubscriptionChange, uuid.UUID(scheduled["id"]))
        assert upgrade is not None
        order = await session.get(Order, upgrade.order_id)
        assert order is not None
        invoice = await session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert (upgrade.status, order.status, order.total_minor) == ("applied", "paid", 2800)
    assert invoice is not None
    assert (invoice.status, invoice.total_minor) == ("paid", 2800)
    assert app.state.payment_provider.captures[order.intent_id] == 1

    # The applied upgrade is the one quoted: its event, its sessions, the customer told.
    await run_event_handlers(app)
    announced, applied = await _changed_events(app)
    assert (announced["charged_minor"], announced["sessions_added"]) == (0, [])
    assert (applied["charged_minor"], applied["credited_minor"]) == (CHARGE - CREDIT, CREDIT)
    assert applied["effective_at"].startswith("2027-01-18T00:00:00")
    assert await _upgrade_grants(client, buyer) == [TOP_UP[1:]]
    assert (await _titles(client, buyer)).count("Your subscription was upgraded") == 1


async def test_a_bank_wanting_authentication_on_the_day_leaves_the_subscription_and_tells(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    """Off-session nobody can authenticate: the upgrade fails, and the customer upgrades again
    from the app, where the bank can ask them."""
    move_to(clock, START)
    _, current = await coach_product(client, factory, **product_terms(8400, 4))
    _, dearer = await coach_product(client, factory, **product_terms(14000, 4, **_DEARER))
    buyer = await factory.customer()
    order_id = (await placed(client, buyer, current["id"]))["order"]["id"]
    for _ in range(2):  # asked to authenticate, then authenticated
        paid = await confirm(
            client, buyer, order_id, "pm_card_authenticationRequired", saveMethod=True
        )
        assert paid.status_code == 200, paid.text
    subscription_id = paid.json()["data"]["order"]["subscriptionId"]
    before = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    scheduled = await changed(
        client,
        buyer,
        subscription_id,
        action="upgrade",
        targetProductId=dearer["id"],
        effectiveDate=DAY,
    )

    await _at(client, clock, buyer, EFFECTIVE_AT)
    run = await bill(app)
    assert (run.upgraded, run.upgrades_failed) == (0, 1)
    assert (await bill(app)).upgrades_failed == 0
    assert (await me(client, buyer))["subscriptionStatus"]["subscription"] == before
    async with app.state.sessionmaker() as session:
        upgrade = await session.scalar(
            select(SubscriptionChange).where(SubscriptionChange.action == "upgrade")
        )
        assert upgrade is not None
        order = await session.get(Order, upgrade.order_id)
        assert order is not None
        invoice = await session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert str(upgrade.id) == scheduled["id"]
    assert (upgrade.status, order.status) == ("failed", "failed")
    assert invoice is not None
    assert invoice.status == "void"
    assert await _count(app, Payment) == 1
    await run_event_handlers(app)
    [told] = [
        item
        for item in (await inbox(client, buyer))["items"]
        if item["title"] == "Your scheduled upgrade was not applied"
    ]
    assert "authentication" in told["body"]
    assert await _upgrade_grants(client, buyer) == []

    # Nothing holds the subscription any more: upgraded now, the bank asks the customer.
    again = await change(
        client, buyer, subscription_id, action="upgrade", targetProductId=dearer["id"]
    )
    assert again.status_code == 202, again.text


async def test_withdrawn_before_its_day_it_is_never_charged(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, current, dearer = await _subscribed(client, factory, clock)
    await changed(
        client,
        buyer,
        subscription_id,
        action="upgrade",
        targetProductId=dearer["id"],
        effectiveDate=DAY,
    )
    await _at(client, clock, buyer, EFFECTIVE_AT - timedelta(days=1))
    withdrawn = await changed(client, buyer, subscription_id, action="withdraw")
    assert withdrawn["subscription"]["productId"] == current["id"]

    await _at(client, clock, buyer, EFFECTIVE_AT)
    run = await bill(app)
    assert (run.upgraded, run.upgrades_failed) == (0, 0)
    assert (await _count(app, Payment), await _count(app, Order)) == (1, 1)
    shown = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    assert shown["productId"] == current["id"]
    async with app.state.sessionmaker() as session:
        statuses = dict(
            (
                await session.execute(select(SubscriptionChange.action, SubscriptionChange.status))
            ).all()
        )
    assert statuses == {"upgrade": "withdrawn", "withdraw": "applied"}


async def test_while_scheduled_every_other_change_waits_and_its_date_is_checked(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _, dearer = await _subscribed(client, factory, clock)
    upgrade = {"action": "upgrade", "targetProductId": dearer["id"]}
    refusals = [
        ({**upgrade, "effectiveDate": "2027-01-03"}, 422, "effective_date_in_past"),
        # The period ends on 1 February: that day is the renewal's, none is left to upgrade.
        ({**upgrade, "effectiveDate": "2027-02-01"}, 422, "effective_date_after_period_end"),
        ({**upgrade, "effectiveDate": "2027-02-10"}, 422, "effective_date_after_period_end"),
        # Charged with the customer away: only a saved method can pay it.
        (
            {**upgrade, "effectiveDate": DAY, "paymentMethodId": "pm_card_mastercard"},
            422,
            "saved_method_required",
        ),
    ]
    for body, status, code in refusals:
        assert_error(await change(client, buyer, subscription_id, **body), status, code=code)

    await changed(client, buyer, subscription_id, **upgrade, effectiveDate=DAY)
    for other in (
        upgrade,
        {**upgrade, "effectiveDate": "2027-01-20"},
        {"action": "pause", "effectiveDate": "2027-01-10", "pauseDays": 7},
        {"action": "cancel"},
    ):
        assert_error(
            await change(client, buyer, subscription_id, **other), 409, code="change_pending"
        )
    # Today's date is an upgrade now, as no date is.
    second, second_sub, _, second_dearer = await _subscribed(client, factory, clock)
    today = await changed(
        client,
        second,
        second_sub,
        action="upgrade",
        targetProductId=second_dearer["id"],
        effectiveDate="2027-01-04",
    )
    assert (today["status"], today["appliesNow"], today["amountDue"]) == ("applied", True, 5600)


async def test_across_a_dst_change_it_applies_at_the_customers_local_midnight(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    """Paris moves to summer time on 28 March 2027: 30 March begins at 22:00 UTC, not 23:00."""
    start = datetime(2027, 3, 15, 12, tzinfo=UTC)
    buyer, subscription_id, _, dearer = await _subscribed(client, factory, clock, start)
    await set_time_zone(client, buyer, "Europe/Paris")
    scheduled = await changed(
        client,
        buyer,
        subscription_id,
        action="upgrade",
        targetProductId=dearer["id"],
        effectiveDate="2027-03-30",
    )
    # 30 March to 12 April (the period's last day, the renewal's): 13 days.
    assert scheduled["effectiveAt"] == "2027-03-29T22:00:00.000Z"
    assert scheduled["proration"] == {"remainingDays": 13, "credit": 3900, "charge": 6500}

    midnight = datetime(2027, 3, 29, 22, tzinfo=UTC)
    await _at(client, clock, buyer, midnight - timedelta(seconds=1))
    assert (await bill(app)).upgraded == 0
    await _at(client, clock, buyer, midnight)
    assert (await bill(app)).upgraded == 1
    shown = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    assert shown["productId"] == dearer["id"]
    async with app.state.sessionmaker() as session:
        paid = await session.scalar(select(Order.total_minor).where(Order.paid_at == midnight))
    assert paid == 6500 - 3900


@pytest.mark.postgres_only
async def test_two_billing_runs_at_once_apply_it_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _, dearer = await _subscribed(client, factory, clock)
    await changed(
        client,
        buyer,
        subscription_id,
        action="upgrade",
        targetProductId=dearer["id"],
        effectiveDate=DAY,
    )
    move_to(clock, EFFECTIVE_AT)
    runs = await asyncio.gather(*(bill(app) for _ in range(4)))
    assert sum(run.upgraded for run in runs) == 1
    assert sum(run.upgrades_failed for run in runs) == 0
    async with app.state.sessionmaker() as session:
        intents = (
            await session.scalars(select(Order.intent_id).where(Order.paid_at == EFFECTIVE_AT))
        ).all()
    assert len(intents) == 1
    assert app.state.payment_provider.captures[intents[0]] == 1
    assert await _count(app, Payment) == 2
    assert [event["action"] for event in await _changed_events(app)] == ["upgrade", "upgrade"]
