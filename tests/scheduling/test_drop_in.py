"""Paid drop-in places through HTTP: a session with a dropIn price sells one place to a customer
without an entitlement (an order for the session, its invoice line, the place taken at
confirm, no subscription, no entitlement); a place no longer free is refused at confirm before
any capture; the coach's cancellation refunds every paid place (and returns every
entitlement), a customer's own cancellation in time refunds theirs and a late one does not;
a redelivered cancellation refunds nothing twice; on PostgreSQL, concurrent confirms take
exactly the free places."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import (
    EntitlementEntry,
    Notification,
    OutboxEvent,
    Payment,
    Refund,
    SessionBooking,
    Subscription,
)
from fitcoach.scheduling.drop_ins import (
    refund_drop_in_canceled_in_time,
    refund_drop_ins_of_canceled_session,
)
from fitcoach.scheduling.events import BookingCanceled, SessionCanceled
from fitcoach.worker.events import event_of
from tests.commerce.helpers import (
    ORDERS,
    confirm,
    deliver,
    intent_event,
    keyed,
    run_event_handlers,
)
from tests.factories import Account, Factory, assert_error, with_settings
from tests.robustness.concurrency import at_once
from tests.scheduling.helpers import (
    SESSIONS,
    at,
    balance,
    change,
    grant_sessions,
    inbox,
    run_events,
    scheduled,
)
from tests.training.helpers import refresh

PRICE = {"price": 1500, "currency": "USD"}


async def _order(factory: Factory, buyer: Account, session_id: str, **body: Any) -> httpx.Response:
    return await factory.client.post(
        ORDERS, json={"sessionId": session_id, **body}, headers=keyed(buyer)
    )


async def _bought(factory: Factory, buyer: Account, session_id: str) -> dict[str, Any]:
    placed = await _order(factory, buyer, session_id)
    assert placed.status_code == 201, placed.text
    paid = await confirm(factory.client, buyer, placed.json()["data"]["order"]["id"])
    assert paid.status_code == 200, paid.text
    data: dict[str, Any] = paid.json()["data"]
    return data


async def _book(factory: Factory, customer: Account, session_id: str) -> httpx.Response:
    return await factory.client.post(f"{SESSIONS}/{session_id}/bookings", headers=customer.headers)


async def _count(factory: Factory, model: type[Any], *where: Any) -> int:
    async with factory.app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def _redeliver(factory: Factory, event_type: str, handler: Any) -> None:
    """Hand each recorded event of `event_type` to `handler` again, as a redelivery would."""
    async with factory.app.state.sessionmaker() as session:
        rows = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.type == event_type))
        ).all()
    for row in rows:
        async with factory.app.state.sessionmaker() as session, session.begin():
            await handler(session, event_of(row))


async def test_a_customer_without_entitlement_buys_a_place(factory: Factory) -> None:
    coach, ann = await factory.coach(), await factory.customer()
    yoga = await scheduled(factory, coach, coach, type="class", capacity=4, dropIn=PRICE)
    assert yoga["dropIn"] == PRICE
    plain = await scheduled(
        factory,
        coach,
        coach,
        type="class",
        startTime=at(factory, 3, 10),
        endTime=at(factory, 3, 11),
    )
    assert plain["dropIn"] is None

    # No entitlement: the stable code, and the way to buy the place when it is for sale.
    refused = await _book(factory, ann, yoga["id"])
    assert_error(refused, 409, code="no_entitlement")
    assert "POST /api/v1/orders" in refused.json()["message"]
    assert "15.00 USD" in refused.json()["message"]
    assert "POST /api/v1/orders" not in (await _book(factory, ann, plain["id"])).json()["message"]
    assert_error(await _order(factory, ann, plain["id"]), 422, code="drop_in_not_for_sale")

    placed = await _order(factory, ann, yoga["id"])
    assert placed.status_code == 201, placed.text
    checkout = placed.json()["data"]
    assert checkout["order"]["sessionId"] == yoga["id"]
    assert checkout["order"]["productId"] is None
    line = checkout["invoice"]["lines"][0]
    assert line["kind"] == "session"
    assert (
        line["description"]
        == "Class session on " + yoga["localStartTime"][:16].replace("T", " ") + " (Africa/Cairo)"
    )
    assert line["amount"] == 1500
    # The open order is answered again, not made twice.
    again = await _order(factory, ann, yoga["id"])
    assert again.status_code == 200
    assert again.json()["data"]["order"]["id"] == checkout["order"]["id"]

    paid = await confirm(factory.client, ann, checkout["order"]["id"])
    assert paid.status_code == 200, paid.text
    assert paid.json()["data"]["order"]["status"] == "paid"
    assert paid.json()["data"]["order"]["subscriptionId"] is None
    assert paid.json()["data"]["invoice"]["status"] == "paid"
    seen = await factory.client.get(f"{SESSIONS}/{yoga['id']}", headers=ann.headers)
    assert seen.json()["data"]["booked"] == 1
    assert seen.json()["data"]["bookings"][0]["status"] == "booked"
    async with factory.app.state.sessionmaker() as session:
        booking = await session.scalar(select(SessionBooking))
        assert booking is not None
        assert str(booking.order_id) == checkout["order"]["id"]
        assert booking.grant_id is None
    await run_events(factory)
    # No paid subscription, no entitlement: the place is all the order bought.
    assert await _count(factory, Subscription, Subscription.type == "paid") == 0
    assert await _count(factory, EntitlementEntry) == 0
    titles = [one["title"] for one in await inbox(factory, ann)]
    assert "Payment received" in titles
    assert "You're booked" in titles
    assert_error(await _book(factory, ann, yoga["id"]), 409, code="already_booked")


async def test_the_order_is_for_a_product_or_a_session(factory: Factory) -> None:
    coach, ann = await factory.coach(), await factory.customer()
    yoga = await scheduled(factory, coach, coach, type="class", dropIn=PRICE)
    both = await factory.client.post(
        ORDERS,
        json={"sessionId": yoga["id"], "productId": str(uuid.uuid4())},
        headers=keyed(ann),
    )
    assert_error(both, 422)
    assert_error(await factory.client.post(ORDERS, json={}, headers=keyed(ann)), 422)
    assert_error(await _order(factory, ann, yoga["id"], addons=[str(uuid.uuid4())]), 422)
    assert_error(await _order(factory, ann, str(uuid.uuid4())), 404, code="session_not_found")
    # A coach's group session is not for customers who are not theirs.
    group = await scheduled(
        factory,
        coach,
        coach,
        dropIn=PRICE,
        startTime=at(factory, 3, 10),
        endTime=at(factory, 3, 11),
    )
    assert_error(await _order(factory, ann, group["id"]), 404, code="session_not_found")


@with_settings(tax_rate_basis_points=1900, tax_inclusive=False)
async def test_tax_and_only_promo_codes_naming_no_products_apply(factory: Factory) -> None:
    coach, ann, admin = await factory.coach(), await factory.customer(), await factory.admin()
    yoga = await scheduled(factory, coach, coach, type="class", dropIn=PRICE)
    promos = "/api/v1/admin/promo-codes"
    for body in (
        {"code": "ANYTHING", "percentOff": 20},
        {"code": "PROGRAMS", "percentOff": 20, "productIds": [str(uuid.uuid4())]},
    ):
        made = await factory.client.post(promos, json=body, headers=admin.headers)
        assert made.status_code == 201, made.text
    narrow = await _order(factory, ann, yoga["id"], promoCode="programs")
    assert_error(narrow, 422, code="promo_code_not_for_product")

    placed = await _order(factory, ann, yoga["id"], promoCode="anything")
    assert placed.status_code == 201, placed.text
    invoice = placed.json()["data"]["invoice"]
    # 1500 less 20% is 1200, and 19% tax on it is 228.
    assert [line["kind"] for line in invoice["lines"]] == ["session", "discount"]
    assert (invoice["subtotal"], invoice["discount"], invoice["tax"], invoice["total"]) == (
        1500,
        300,
        228,
        1428,
    )
    assert placed.json()["data"]["order"]["total"] == 1428


async def test_another_customer_can_neither_see_nor_confirm_the_order(factory: Factory) -> None:
    coach, ann, bob = await factory.coach(), await factory.customer(), await factory.customer()
    yoga = await scheduled(factory, coach, coach, type="class", dropIn=PRICE)
    checkout = (await _order(factory, ann, yoga["id"])).json()["data"]
    order = checkout["order"]
    seen = await factory.client.get(f"{ORDERS}/{order['id']}", headers=bob.headers)
    assert_error(seen, 404, code="order_not_found")
    assert_error(await confirm(factory.client, bob, order["id"]), 404, code="order_not_found")
    assert factory.app.state.payment_provider.captures[checkout["paymentIntent"]["id"]] == 0
    assert await _count(factory, SessionBooking) == 0


async def test_a_full_session_at_confirm_captures_nothing(factory: Factory) -> None:
    coach, ann, bob = await factory.coach(), await factory.customer(), await factory.customer()
    yoga = await scheduled(factory, coach, coach, type="class", capacity=1, dropIn=PRICE)
    ann_order = (await _order(factory, ann, yoga["id"])).json()["data"]
    bob_order = (await _order(factory, bob, yoga["id"])).json()["data"]
    assert (await confirm(factory.client, ann, ann_order["order"]["id"])).status_code == 200

    full = await confirm(factory.client, bob, bob_order["order"]["id"])
    assert_error(full, 409, code="drop_in_unavailable")
    assert "nothing was charged" in full.json()["message"]
    assert factory.app.state.payment_provider.captures[bob_order["paymentIntent"]["id"]] == 0
    got = await factory.client.get(f"{ORDERS}/{bob_order['order']['id']}", headers=bob.headers)
    assert got.json()["data"]["status"] == "pending"
    assert await _count(factory, Payment) == 1


async def test_a_clashing_booking_or_a_canceled_session_is_refused_at_confirm(
    factory: Factory,
) -> None:
    coach, other, ann = await factory.coach(), await factory.coach(), await factory.customer()
    await grant_sessions(factory, [ann])
    yoga = await scheduled(factory, coach, coach, type="class", dropIn=PRICE)
    order = (await _order(factory, ann, yoga["id"])).json()["data"]
    # Meanwhile ann books another class at the same time with her entitlement.
    pilates = await scheduled(factory, other, other, type="class")
    assert (await _book(factory, ann, pilates["id"])).status_code == 201
    clash = await confirm(factory.client, ann, order["order"]["id"])
    assert_error(clash, 409, code="drop_in_unavailable")
    assert pilates["id"] in clash.json()["message"]

    spin = await scheduled(
        factory,
        coach,
        coach,
        type="class",
        dropIn=PRICE,
        startTime=at(factory, 4, 9),
        endTime=at(factory, 4, 10),
    )
    spin_order = (await _order(factory, ann, spin["id"])).json()["data"]
    assert (await change(factory, coach, spin["id"], status="canceled")).status_code == 200
    gone = await confirm(factory.client, ann, spin_order["order"]["id"])
    assert_error(gone, 409, code="drop_in_unavailable")
    assert await _count(factory, Payment) == 0


async def test_the_coach_cancels_refunding_paid_places_and_returning_entitlements(
    factory: Factory,
) -> None:
    coach, ann, bob = await factory.coach(), await factory.customer(), await factory.customer()
    await grant_sessions(factory, [bob], sessions=1)
    yoga = await scheduled(factory, coach, coach, type="class", dropIn=PRICE)
    paid = await _bought(factory, ann, yoga["id"])
    assert (await _book(factory, bob, yoga["id"])).status_code == 201
    assert await balance(factory, bob, bob) == 0

    canceled = await change(factory, coach, yoga["id"], status="canceled")
    assert canceled.status_code == 200, canceled.text
    assert await balance(factory, bob, bob) == 1
    await run_events(factory)
    await run_events(factory)  # RefundIssued, recorded by the refund handler, tells ann

    async with factory.app.state.sessionmaker() as session:
        refund = await session.scalar(select(Refund))
        assert refund is not None
        assert (str(refund.order_id), refund.amount_minor) == (paid["order"]["id"], 1500)
        assert refund.credit_note_number
    order = await factory.client.get(f"{ORDERS}/{paid['order']['id']}", headers=ann.headers)
    assert order.json()["data"]["status"] == "refunded"
    invoice = await factory.client.get(
        f"/api/v1/invoices/{paid['invoice']['id']}", headers=ann.headers
    )
    assert invoice.json()["data"]["creditNotes"][0]["amount"] == 1500
    titles = [one["title"] for one in await inbox(factory, ann)]
    assert "Refund issued" in titles
    assert "Session canceled" in titles
    provider = factory.app.state.payment_provider
    assert sum(provider.refunded.values()) == 1500

    # The same event again refunds nothing twice.
    await _redeliver(factory, SessionCanceled.type, refund_drop_ins_of_canceled_session)
    assert await _count(factory, Refund) == 1
    assert sum(provider.refunded.values()) == 1500


@with_settings(late_cancel_hours=24)
async def test_a_customer_s_own_cancellation_refunds_in_time_only(
    factory: Factory, clock: FrozenClock
) -> None:
    coach, ann, bob = await factory.coach(), await factory.customer(), await factory.customer()
    start = factory.now.replace(microsecond=0) + timedelta(hours=30)
    yoga = await scheduled(
        factory,
        coach,
        coach,
        type="class",
        dropIn=PRICE,
        startTime=start.isoformat(),
        endTime=(start + timedelta(hours=1)).isoformat(),
    )
    ann_paid = await _bought(factory, ann, yoga["id"])
    bob_paid = await _bought(factory, bob, yoga["id"])

    assert (await change(factory, ann, yoga["id"], status="canceled")).status_code == 200
    await run_events(factory)
    clock.advance(hours=8)
    await refresh(factory, bob)
    late = await change(factory, bob, yoga["id"], status="canceled")
    assert late.json()["data"]["bookings"][0]["status"] == "late_canceled"
    await run_events(factory)
    await run_events(factory)

    async with factory.app.state.sessionmaker() as session:
        refunds = (await session.scalars(select(Refund))).all()
    assert [str(one.order_id) for one in refunds] == [ann_paid["order"]["id"]]
    await refresh(factory, ann)
    statuses = {
        paid["order"]["id"]: (
            await factory.client.get(f"{ORDERS}/{paid['order']['id']}", headers=who.headers)
        ).json()["data"]["status"]
        for paid, who in ((ann_paid, ann), (bob_paid, bob))
    }
    assert statuses == {ann_paid["order"]["id"]: "refunded", bob_paid["order"]["id"]: "paid"}
    await _redeliver(factory, BookingCanceled.type, refund_drop_in_canceled_in_time)
    assert await _count(factory, Refund) == 1
    # A place given back in time can be bought again, and the new order is what the place holds.
    again = await _bought(factory, ann, yoga["id"])
    async with factory.app.state.sessionmaker() as session:
        orders = (
            await session.scalars(
                select(SessionBooking.order_id).where(
                    SessionBooking.customer_id == uuid.UUID(ann.user_id)
                )
            )
        ).all()
    assert [str(one) for one in orders] == [again["order"]["id"]]
    assert await _count(factory, Notification, Notification.title == "Refund issued") == 1


async def test_a_webhook_payment_for_a_place_taken_meanwhile_is_refunded(
    factory: Factory,
) -> None:
    """The customer's confirm never got its answer; by the time the provider's webhook says
    the payment went through, someone else has the last place."""
    coach, ann, bob = await factory.coach(), await factory.customer(), await factory.customer()
    yoga = await scheduled(factory, coach, coach, type="class", capacity=1, dropIn=PRICE)
    lost = (await _order(factory, ann, yoga["id"])).json()["data"]
    await _bought(factory, bob, yoga["id"])
    intent = lost["paymentIntent"]["id"]
    event = intent_event("payment_intent.succeeded", intent)
    assert (await deliver(factory.app, factory.client, event)).status_code == 200
    await run_event_handlers(factory.app)
    await run_event_handlers(factory.app)

    got = await factory.client.get(f"{ORDERS}/{lost['order']['id']}", headers=ann.headers)
    assert got.json()["data"]["status"] == "refunded"
    async with factory.app.state.sessionmaker() as session:
        refund = await session.scalar(select(Refund))
        assert refund is not None
        assert (str(refund.order_id), refund.amount_minor) == (lost["order"]["id"], 1500)
        booking = await session.scalar(
            select(SessionBooking).where(SessionBooking.customer_id == uuid.UUID(ann.user_id))
        )
        assert booking is None
    assert "Refund issued" in [one["title"] for one in await inbox(factory, ann)]
    # The event again changes nothing.
    await deliver(factory.app, factory.client, {**event, "id": event["id"] + "_retry"})
    await run_event_handlers(factory.app)
    assert await _count(factory, Refund) == 1


@pytest.mark.postgres_only
async def test_concurrent_confirms_take_exactly_the_free_places(factory: Factory) -> None:
    coach = await factory.coach()
    yoga = await scheduled(factory, coach, coach, type="class", capacity=3, dropIn=PRICE)
    buyers = [await factory.customer() for _ in range(8)]
    orders = [(await _order(factory, one, yoga["id"])).json()["data"] for one in buyers]
    answers = await at_once(
        confirm(factory.client, buyer, order["order"]["id"])
        for buyer, order in zip(buyers, orders, strict=True)
    )
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] * 3 + [409] * 5, [answer.text for answer in answers]
    captures = factory.app.state.payment_provider.captures
    captured = [order for order in orders if captures[order["paymentIntent"]["id"]]]
    assert len(captured) == 3
    assert await _count(factory, Payment) == 3
    assert await _count(factory, SessionBooking, SessionBooking.status == "booked") == 3
    seen = await factory.client.get(f"{SESSIONS}/{yoga['id']}", headers=coach.headers)
    assert seen.json()["data"]["booked"] == 3
