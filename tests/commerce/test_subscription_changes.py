"""POST /subscriptions/{id}/change: previews that write nothing, scheduled downgrades applied
at the period end, pauses within the admin's limits and resumed early, cancels at the period
end or at once with a refund, each refusal naming its rule, and who may change what."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import (
    AuditEntry,
    IdempotencyKey,
    Invoice,
    Order,
    OutboxEvent,
    Payment,
    Refund,
    Subscription,
    SubscriptionChange,
)
from tests.commerce.billing import bill, change, changed, me, product_terms, subscribe
from tests.commerce.helpers import coach_product, place, placed, run_event_handlers
from tests.factories import Account, Factory, assert_error, with_settings
from tests.notifications.helpers import inbox, move_to
from tests.plans.payloads import signed_in_again

START = datetime(2027, 1, 4, 12, tzinfo=UTC)
_TABLES = (
    Subscription,
    SubscriptionChange,
    Order,
    Invoice,
    Payment,
    Refund,
    OutboxEvent,
    AuditEntry,
    IdempotencyKey,
)


async def _counts(app: FastAPI) -> dict[str, int]:
    async with app.state.sessionmaker() as session:
        return {
            model.__tablename__: int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in _TABLES
        }


async def _subscribed(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> tuple[Account, str, dict[str, Any], dict[str, Any]]:
    """A customer subscribed on START to a 4-week product (300 a day), and a cheaper and a
    dearer product of the same business."""
    move_to(clock, START)
    _, current = await coach_product(client, factory, **product_terms(8400, 4))
    _, cheaper = await coach_product(
        client,
        factory,
        **product_terms(
            5600,
            4,
            included={
                "sessionsPerMonth": 1,
                "customTrainingPlan": False,
                "customDietPlan": False,
                "chatAccess": False,
            },
        ),
    )
    _, dearer = await coach_product(client, factory, **product_terms(14000, 4))
    buyer = await factory.customer()
    return buyer, await subscribe(client, buyer, current["id"]), cheaper, dearer


async def _later(
    client: httpx.AsyncClient, clock: FrozenClock, buyer: Account, **delta: float
) -> None:
    clock.advance(**delta)
    buyer.headers = await signed_in_again(client, buyer)


async def test_a_preview_answers_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, cheaper, dearer = await _subscribed(client, factory, clock)
    before = await _counts(app)
    subscription = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    bodies: list[dict[str, Any]] = [
        {"action": "upgrade", "targetProductId": dearer["id"]},
        {"action": "downgrade", "targetProductId": cheaper["id"]},
        {"action": "pause", "effectiveDate": "2027-01-10", "pauseDays": 10},
        {"action": "cancel"},
        {"action": "cancel", "immediately": True},
    ]
    answers = [
        (await change(client, buyer, subscription_id, preview=True, **body)).json()["data"]
        for body in bodies
    ]
    assert await _counts(app) == before
    assert (await me(client, buyer))["subscriptionStatus"]["subscription"] == subscription
    upgrade, downgrade, pause, cancel, cancel_now = answers
    # 28 days left on the day of purchase: 300 and 500 a day.
    assert (upgrade["amountDue"], upgrade["appliesNow"]) == (14000 - 8400, True)
    assert (downgrade["appliesNow"], downgrade["effectiveAt"]) == (False, subscription["endsAt"])
    assert downgrade["entitlements"]["sessionsPerMonth"] == 1
    assert pause["pauseEndsAt"] == "2027-01-20T00:00:00.000Z"
    assert pause["periodEndsAt"] == "2027-02-11T12:00:00.000Z"
    assert (cancel["appliesNow"], cancel["refund"]) == (False, 0)
    assert (cancel_now["appliesNow"], cancel_now["refund"]) == (True, 8400)


async def test_a_downgrade_applies_at_the_period_end_and_renews_at_its_price(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, cheaper, dearer = await _subscribed(client, factory, clock)
    done = await changed(
        client, buyer, subscription_id, action="downgrade", targetProductId=cheaper["id"]
    )
    assert done["appliesNow"] is False
    assert done["subscription"]["productId"] != cheaper["id"]
    # One change under way at a time.
    second = await change(
        client, buyer, subscription_id, action="upgrade", targetProductId=dearer["id"]
    )
    assert_error(second, 409, code="change_pending")
    await run_event_handlers(app)
    titles = {item["title"] for item in (await inbox(client, buyer))["items"]}
    assert "Your subscription will be downgraded" in titles

    await _later(client, clock, buyer, days=28)
    run = await bill(app)
    assert (run.downgraded, run.renewed) == (1, 1)
    subscription = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    assert subscription["productId"] == cheaper["id"]
    assert subscription["entitlements"]["sessionsPerMonth"] == 1
    assert subscription["endsAt"] == "2027-03-01T12:00:00.000Z"
    async with app.state.sessionmaker() as session:
        renewal = await session.scalar(select(Order).order_by(Order.created_at.desc()).limit(1))
    assert renewal is not None
    assert (renewal.total_minor, renewal.status) == (5600, "paid")


async def test_pause_rules_each_name_their_code(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _, _ = await _subscribed(client, factory, clock)
    cases = [
        ({"effectiveDate": "2027-01-03", "pauseDays": 10}, "effective_date_in_past"),
        # Tomorrow's midnight is 12 hours away: 24 are asked for.
        ({"effectiveDate": "2027-01-05", "pauseDays": 10}, "pause_notice_too_short"),
        ({"effectiveDate": "2027-01-10", "pauseDays": 6}, "pause_length_out_of_range"),
        ({"effectiveDate": "2027-01-10", "pauseDays": 31}, "pause_length_out_of_range"),
        ({"effectiveDate": "2027-03-10", "pauseDays": 10}, "effective_date_after_period_end"),
        ({"pauseDays": 10}, "effective_date_required"),
        ({"effectiveDate": "2027-01-10"}, "pause_days_required"),
    ]
    for body, code in cases:
        response = await change(client, buyer, subscription_id, action="pause", **body)
        assert_error(response, 422, code=code)
    resume = await change(client, buyer, subscription_id, action="resume")
    assert_error(resume, 409, code="nothing_to_resume")


async def test_pauses_extend_the_period_resume_early_and_stop_at_the_yearly_limit(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _, _ = await _subscribed(client, factory, clock)
    admin = await factory.admin()
    policy = {
        "maxPausesPerYear": 2,
        "minPauseDays": 7,
        "maxPauseDays": 30,
        "pauseNoticeHours": 24,
        "cancelRefund": "none",
    }
    response = await client.put(
        "/api/v1/admin/settings/subscriptions", json=policy, headers=admin.headers
    )
    assert response.status_code == 200, response.text

    # Withdrawn before it began: every day given back, and it does not count.
    paused = await changed(
        client, buyer, subscription_id, action="pause", effectiveDate="2027-01-10", pauseDays=10
    )
    assert paused["subscription"]["endsAt"] == "2027-02-11T12:00:00.000Z"
    resumed = await changed(client, buyer, subscription_id, action="resume")
    assert resumed["subscription"]["endsAt"] == "2027-02-01T12:00:00.000Z"

    first = await changed(
        client, buyer, subscription_id, action="pause", effectiveDate="2027-01-08", pauseDays=7
    )
    assert first["periodEndsAt"] == "2027-02-08T12:00:00.000Z"
    await _later(client, clock, buyer, days=7)  # 11 January, the pause's fourth day
    early = await changed(client, buyer, subscription_id, action="resume")
    # 11 to 14 January given back: 4 days.
    assert early["subscription"]["endsAt"] == "2027-02-04T12:00:00.000Z"
    second = await changed(
        client, buyer, subscription_id, action="pause", effectiveDate="2027-01-14", pauseDays=7
    )
    assert second["subscription"]["endsAt"] == "2027-02-11T12:00:00.000Z"
    await _later(client, clock, buyer, days=10)  # 21 January: the second pause is over
    third = await change(
        client, buyer, subscription_id, action="pause", effectiveDate="2027-01-30", pauseDays=7
    )
    assert_error(third, 409, code="pause_limit_reached")


async def test_a_cancel_at_the_period_end_falls_back_to_the_free_terms(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _, _ = await _subscribed(client, factory, clock)
    done = await changed(client, buyer, subscription_id, action="cancel")
    assert (done["appliesNow"], done["refund"]) == (False, 0)
    again = await change(client, buyer, subscription_id, action="cancel")
    assert_error(again, 409, code="already_canceled")
    assert (await me(client, buyer))["subscriptionType"] == "paid"
    orders = (await _counts(app))["orders"]

    await _later(client, clock, buyer, days=28)
    run = await bill(app)
    assert (run.renewed, run.ended) == (0, 1)
    assert (await _counts(app))["orders"] == orders
    shown = await me(client, buyer)
    assert (shown["isSubscribed"], shown["subscriptionType"]) == (True, "free")


async def test_a_scheduled_downgrade_or_cancel_can_be_withdrawn_and_the_period_renews(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, cheaper, _ = await _subscribed(client, factory, clock)
    nothing = await change(client, buyer, subscription_id, action="withdraw")
    assert_error(nothing, 409, code="nothing_to_withdraw")

    # A downgrade, withdrawn: a preview changes nothing, then another change is possible.
    await changed(client, buyer, subscription_id, action="downgrade", targetProductId=cheaper["id"])
    before = await _counts(app)
    preview = await client.post(
        f"/api/v1/subscriptions/{subscription_id}/change",
        params={"preview": "true"},
        json={"action": "withdraw"},
        headers=buyer.headers,
    )
    assert preview.status_code == 200, preview.text
    assert await _counts(app) == before
    withdrawn = await changed(client, buyer, subscription_id, action="withdraw")
    assert (withdrawn["action"], withdrawn["appliesNow"]) == ("withdraw", True)

    # A cancel at the period end, withdrawn: the period renews at the current price.
    await changed(client, buyer, subscription_id, action="cancel")
    await changed(client, buyer, subscription_id, action="withdraw")
    async with app.state.sessionmaker() as session:
        statuses = sorted(
            (one.action, one.status)
            for one in (await session.scalars(select(SubscriptionChange))).all()
        )
    assert statuses == [
        ("cancel", "withdrawn"),
        ("downgrade", "withdrawn"),
        ("withdraw", "applied"),
        ("withdraw", "applied"),
    ]
    await run_event_handlers(app)
    titles = [item["title"] for item in (await inbox(client, buyer))["items"]]
    assert titles.count("Your subscription continues as it is") == 2

    await _later(client, clock, buyer, days=28)
    run = await bill(app)
    assert (run.renewed, run.downgraded, run.ended) == (1, 0, 0)
    shown = await me(client, buyer)
    assert shown["subscriptionType"] == "paid"
    assert shown["subscriptionStatus"]["subscription"]["endsAt"] == "2027-03-01T12:00:00.000Z"


async def test_an_immediate_cancel_refunds_the_unused_days(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _, _ = await _subscribed(client, factory, clock)
    await _later(client, clock, buyer, days=7)
    done = await changed(client, buyer, subscription_id, action="cancel", immediately=True)
    # 21 unused days of 300.
    assert done["refund"] == 6300
    assert sum(app.state.payment_provider.refunded.values()) == 6300
    shown = await me(client, buyer)
    assert shown["subscriptionType"] == "free"
    async with app.state.sessionmaker() as session:
        refund = await session.scalar(select(Refund))
    assert refund is not None
    assert refund.amount_minor == 6300
    gone = await change(client, buyer, subscription_id, action="pause")
    assert_error(gone, 409, code="subscription_not_changeable")


async def test_an_immediate_cancel_after_an_upgrade_refunds_from_both_payments(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, _, dearer = await _subscribed(client, factory, clock)
    await _later(client, clock, buyer, days=7)
    upgraded = await changed(
        client, buyer, subscription_id, action="upgrade", targetProductId=dearer["id"]
    )
    # 21 days left: 21 of 500 charged, 21 of 300 credited.
    assert upgraded["amountDue"] == 4200
    await _later(client, clock, buyer, days=7)
    done = await changed(client, buyer, subscription_id, action="cancel", immediately=True)
    # 14 unused days of 500: more than the upgrade's charge, which is refunded first and in
    # full; the rest comes out of the period's purchase.
    assert done["refund"] == 7000
    async with app.state.sessionmaker() as session:
        refunds = (await session.scalars(select(Refund.amount_minor))).all()
    assert sorted(refunds) == [2800, 4200]
    assert sum(app.state.payment_provider.refunded.values()) == 7000


async def test_only_the_customer_changes_their_subscription(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    _, subscription_id, _, dearer = await _subscribed(client, factory, clock)
    stranger = await factory.customer()
    coach = await factory.coach()
    body = {"action": "upgrade", "targetProductId": dearer["id"]}
    assert_error(
        await change(client, stranger, subscription_id, **body), 404, code="subscription_not_found"
    )
    assert_error(await change(client, coach, subscription_id, **body), 403)
    free_id = (await me(client, stranger))["subscriptionStatus"]["subscription"]["id"]
    assert_error(
        await change(client, stranger, free_id, action="cancel"),
        409,
        code="subscription_not_changeable",
    )


async def test_a_declined_upgrade_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    buyer, subscription_id, cheaper, dearer = await _subscribed(client, factory, clock)
    before = await _counts(app)
    response = await change(
        client,
        buyer,
        subscription_id,
        action="upgrade",
        targetProductId=dearer["id"],
        paymentMethodId="pm_card_chargeDeclined",
    )
    assert_error(response, 402, code="payment_declined")
    after = await _counts(app)
    assert {k: v for k, v in after.items() if k != "audit_entries"} == {
        k: v for k, v in before.items() if k != "audit_entries"
    }
    wrong_way = await change(
        client, buyer, subscription_id, action="upgrade", targetProductId=cheaper["id"]
    )
    assert_error(wrong_way, 409, code="not_an_upgrade")


@with_settings(access_token_ttl_seconds=86_400)
async def test_the_policy_rejects_a_longest_pause_shorter_than_the_shortest(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    response = await client.put(
        "/api/v1/admin/settings/subscriptions",
        json={
            "maxPausesPerYear": 2,
            "minPauseDays": 10,
            "maxPauseDays": 7,
            "pauseNoticeHours": 24,
            "cancelRefund": "prorated",
        },
        headers=admin.headers,
    )
    assert_error(response, 422)


async def test_a_checkout_left_open_for_the_target_does_not_stop_an_upgrade(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    """The upgrade's order is the subscription's, not a checkout's: the two never collide."""
    buyer, subscription_id, _, dearer = await _subscribed(client, factory, clock)
    left_open = await placed(client, buyer, dearer["id"])
    done = await changed(
        client, buyer, subscription_id, action="upgrade", targetProductId=dearer["id"]
    )
    assert done["subscription"]["productId"] == dearer["id"]
    again = await place(client, buyer, dearer["id"])
    assert again.status_code == 200, again.text
    assert again.json()["data"]["order"]["id"] == left_open["order"]["id"]
