"""Ledgers reconcile to the cent, checked by hypothesis: an invoice's lines, discount, tax and
total agree for any prices and tax policy; and over HTTP, whatever mix of orders is paid or
declined or refunded (by an admin, or in the provider's dashboard and told by its webhook),
the payments captured equal the paid invoices' and orders' totals, the refunds given equal the
credit notes and what the provider gave back, and no order is refunded more than it paid."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from fitcoach.commerce.invoices.pricing import (
    BASIS_POINTS,
    LineItem,
    LineKind,
    TaxPolicy,
    totals_of,
)
from fitcoach.commerce.payments.providers import sandbox_charge_id
from fitcoach.models import Invoice, InvoiceLine, Order, Payment, Refund
from tests.commerce.helpers import (
    INVOICES,
    coach_product,
    confirm,
    deliver,
    placed,
    run_event_handlers,
)
from tests.factories import Account, Factory, with_settings

amounts = st.integers(min_value=0, max_value=10_000_000)
policies = st.builds(TaxPolicy, st.integers(min_value=0, max_value=BASIS_POINTS), st.booleans())


@given(
    product=amounts,
    addons=st.lists(amounts, max_size=5),
    discount=st.integers(min_value=0, max_value=20_000_000),
    tax=policies,
)
def test_invoice_totals_agree_with_their_lines(
    product: int, addons: list[int], discount: int, tax: TaxPolicy
) -> None:
    lines = [LineItem(LineKind.product, "p", product)]
    lines += [LineItem(LineKind.addon, "a", amount) for amount in addons]
    lines.append(LineItem(LineKind.discount, "d", -discount))
    totals = totals_of(lines, tax)
    assert totals.subtotal == product + sum(addons)
    assert 0 <= totals.discount <= totals.subtotal
    net = totals.subtotal - totals.discount
    assert 0 <= totals.tax <= totals.total
    if tax.inclusive:
        assert totals.total == net
        # The untaxed part is net / (1 + rate), to the nearest minor unit.
        untaxed = net - totals.tax
        assert (
            abs(untaxed * (BASIS_POINTS + tax.rate_basis_points) - net * BASIS_POINTS)
            <= (BASIS_POINTS + tax.rate_basis_points) / 2
        )
    else:
        assert totals.total == net + totals.tax
        assert abs(totals.tax * BASIS_POINTS - net * tax.rate_basis_points) <= BASIS_POINTS / 2


purchases = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=500_000),
        st.sampled_from(["pm_card_visa", "pm_card_chargeDeclined", None]),
        # Refunds asked for, as fractions of the total paid; past 1 the last is refused.
        st.lists(st.sampled_from([0.1, 0.5, 1.0, 1.5]), max_size=3),
        # Refunds made in the provider's dashboard afterwards, told by its webhook (never more
        # than is left: the provider refuses that itself).
        st.lists(st.sampled_from([0.05, 0.3, 1.0]), max_size=2),
    ),
    min_size=1,
    max_size=4,
)


async def _sum(app: FastAPI, column: object, *where: object) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.coalesce(func.sum(column), 0)).where(*where)))  # type: ignore[arg-type]


async def _refund_in_dashboard(
    app: FastAPI, client: httpx.AsyncClient, whose: tuple[Account, dict[str, Any]], share: float
) -> None:
    admin, order = whose
    invoice = await client.get(f"{INVOICES}/{order['invoice']['id']}", headers=admin.headers)
    left = invoice.json()["data"]["total"] - invoice.json()["data"]["refunded"]
    amount = min(left, max(1, int(order["order"]["total"] * share)))
    if amount <= 0:
        return
    intent = order["paymentIntent"]["id"]
    event = app.state.payment_provider.dashboard_refund(sandbox_charge_id(intent), intent, amount)
    assert (await deliver(app, client, event)).status_code == 200
    await run_event_handlers(app)


@with_settings(tax_rate_basis_points=1900, tax_inclusive=False, rate_limit_enabled=False)
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(bought=purchases)
async def test_payments_invoices_and_orders_reconcile(
    app: FastAPI,
    client: httpx.AsyncClient,
    factory: Factory,
    bought: list[tuple[int, str | None, list[float], list[float]]],
) -> None:
    """Each example adds to the same database: the sums are over everything so far."""
    admin = await factory.admin()
    for price, method, refunds, dashboard in bought:
        _, product = await coach_product(client, factory, price=price)
        buyer = await factory.customer()
        order = await placed(client, buyer, product["id"])
        if method is None:
            continue
        paid = await confirm(client, buyer, order["order"]["id"], method)
        for share in refunds if paid.status_code == 200 else []:
            amount = max(1, int(order["order"]["total"] * share))
            await client.post(
                f"/api/v1/admin/orders/{order['order']['id']}/refunds",
                json={"amount": amount, "reason": "test"},
                headers=admin.headers,
            )
        for share in dashboard if paid.status_code == 200 else []:
            await _refund_in_dashboard(app, client, (admin, order), share)
    payments = await _sum(app, Payment.amount_minor)
    refunded = await _sum(app, Refund.amount_minor)
    assert refunded == sum(app.state.payment_provider.refunded.values())
    assert 0 <= refunded <= payments
    async with app.state.sessionmaker() as session:
        over = await session.scalar(
            select(func.count())
            .select_from(Payment)
            .where(
                Payment.amount_minor
                < select(func.coalesce(func.sum(Refund.amount_minor), 0))
                .where(Refund.order_id == Payment.order_id)
                .scalar_subquery()
            )
        )
    assert over == 0
    assert payments == await _sum(app, Invoice.total_minor, Invoice.status == "paid")
    assert refunded == await _sum(app, Refund.amount_minor, Refund.invoice_id == Invoice.id)
    assert payments == await _sum(app, Order.total_minor, Order.status.in_(["paid", "refunded"]))
    everything = await _sum(app, Invoice.total_minor)
    assert everything == await _sum(app, Order.total_minor)
    lines = await _sum(app, InvoiceLine.amount_minor)
    assert lines == await _sum(app, Invoice.subtotal_minor) - await _sum(
        app, Invoice.discount_minor
    )
    assert everything == lines + await _sum(app, Invoice.tax_minor)
