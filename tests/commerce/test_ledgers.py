"""Ledgers reconcile to the cent, checked by hypothesis: an invoice's lines, discount, tax and
total agree for any prices and tax policy; and over HTTP, whatever mix of orders is paid or
declined, the payments captured equal the paid invoices' totals and the paid orders' totals."""

from __future__ import annotations

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
from fitcoach.models import Invoice, InvoiceLine, Order, Payment
from tests.commerce.helpers import coach_product, confirm, placed
from tests.factories import Factory, with_settings

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
    ),
    min_size=1,
    max_size=4,
)


async def _sum(app: FastAPI, column: object, *where: object) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.coalesce(func.sum(column), 0)).where(*where)))  # type: ignore[arg-type]


@with_settings(tax_rate_basis_points=1900, tax_inclusive=False, rate_limit_enabled=False)
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(bought=purchases)
async def test_payments_invoices_and_orders_reconcile(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, bought: list[tuple[int, str | None]]
) -> None:
    """Each example adds to the same database: the sums are over everything so far."""
    for price, method in bought:
        _, product = await coach_product(client, factory, price=price)
        buyer = await factory.customer()
        order = await placed(client, buyer, product["id"])
        if method is not None:
            await confirm(client, buyer, order["order"]["id"], method)
    payments = await _sum(app, Payment.amount_minor)
    assert payments == await _sum(app, Invoice.total_minor, Invoice.status == "paid")
    assert payments == await _sum(app, Order.total_minor, Order.status == "paid")
    everything = await _sum(app, Invoice.total_minor)
    assert everything == await _sum(app, Order.total_minor)
    lines = await _sum(app, InvoiceLine.amount_minor)
    assert lines == await _sum(app, Invoice.subtotal_minor) - await _sum(
        app, Invoice.discount_minor
    )
    assert everything == lines + await _sum(app, Invoice.tax_minor)
