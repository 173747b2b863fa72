"""Refunds: full or partial, never more than paid minus earlier refunds, through the provider,
with a credit note on the invoice, audited, and RefundIssued telling the customer."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.models import AuditEntry, Notification
from tests.commerce.helpers import (
    INVOICES,
    ORDERS,
    bought,
    coach_product,
    placed,
    run_event_handlers,
)
from tests.factories import Account, Factory, assert_error


async def refund(
    client: httpx.AsyncClient, admin: Account, order_id: str, amount: int
) -> httpx.Response:
    return await client.post(
        f"/api/v1/admin/orders/{order_id}/refunds",
        json={"amount": amount, "reason": "Sessions not held"},
        headers=admin.headers,
    )


async def test_partial_refunds_never_pass_the_payment(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory, price=10000, addons=[])
    buyer, admin = await factory.customer(), await factory.admin()
    paid = await bought(client, buyer, product["id"])
    order_id, invoice_id = paid["order"]["id"], paid["invoice"]["id"]

    first = await refund(client, admin, order_id, 3000)
    assert first.status_code == 201, first.text
    assert first.json()["data"]["creditNoteNumber"].startswith("CN-")
    assert_error(
        await refund(client, admin, order_id, 7001),
        409,
        "At most 7000 (USD minor units) can still be refunded on this order",
        code="refund_exceeds_payment",
    )
    assert (await refund(client, admin, order_id, 7000)).status_code == 201
    assert_error(await refund(client, admin, order_id, 1), 409, code="refund_exceeds_payment")

    invoice = (await client.get(f"{INVOICES}/{invoice_id}", headers=buyer.headers)).json()["data"]
    assert [note["amount"] for note in invoice["creditNotes"]] == [3000, 7000]
    assert invoice["refunded"] == 10000
    numbers = [int(note["number"][3:]) for note in invoice["creditNotes"]]
    assert numbers[1] == numbers[0] + 1
    order = (await client.get(f"{ORDERS}/{order_id}", headers=buyer.headers)).json()["data"]
    assert order["status"] == "refunded"
    charge = app.state.payment_provider.refunded
    assert sum(charge.values()) == 10000

    async with app.state.sessionmaker() as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action == "order.refunded")
            )
        ).all()
    assert len(actions) == 2
    await run_event_handlers(app)
    async with app.state.sessionmaker() as session:
        titles = (
            await session.scalars(
                select(Notification.title).where(Notification.user_id == buyer.id)
            )
        ).all()
    assert sorted(titles).count("Refund issued") == 2


async def test_only_admins_refund_and_only_paid_orders(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer, admin = await factory.customer(), await factory.admin()
    pending = await placed(client, buyer, product["id"])
    assert_error(
        await refund(client, admin, pending["order"]["id"], 100), 409, code="order_not_paid"
    )
    assert_error(await refund(client, buyer, pending["order"]["id"], 100), 403)
    assert_error(
        await refund(client, admin, "00000000-0000-4000-8000-000000000000", 100),
        404,
        code="order_not_found",
    )
