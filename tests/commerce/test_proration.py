"""Upgrade proration against hand-computed tables, through HTTP: the days left are counted in
the customer's calendar (today included, the period's end day excluded), each product's day
is its price over its days, and each amount is rounded half up once."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.commerce.billing.proration import DailyPrice, prorate
from fitcoach.core.clock import FrozenClock
from fitcoach.models import Payment
from tests.commerce.billing import change, changed, me, product_terms, set_time_zone, subscribe
from tests.commerce.helpers import coach_product
from tests.factories import Factory, with_settings
from tests.notifications.helpers import move_to
from tests.plans.payloads import signed_in_again

# bought at, changed at, zone, (price, weeks) before, (price, weeks) after,
# days left, credit, charge
TABLE = [
    pytest.param(
        datetime(2027, 1, 20, 12, tzinfo=UTC),
        # 30 January, 22:00 in New York: the customer's today is the 30th, not the 31st.
        datetime(2027, 1, 31, 3, tzinfo=UTC),
        "America/New_York",
        (8400, 4),
        (14000, 4),
        18,  # 30 January to 17 February, across the month's end
        5400,
        9000,
        id="month-boundary-new-york",
    ),
    pytest.param(
        datetime(2028, 2, 20, 12, tzinfo=UTC),
        # 29 February 2028, 00:30 in Auckland (UTC+13).
        datetime(2028, 2, 28, 11, 30, tzinfo=UTC),
        "Pacific/Auckland",
        (9999, 4),
        (15001, 4),
        20,  # 29 February to 20 March (the period ends 20 March, 01:00 local)
        7142,  # 9999 * 20 / 28 = 7142.14
        10715,  # 15001 * 20 / 28 = 10715.0
        id="leap-day-auckland",
    ),
    pytest.param(
        datetime(2028, 2, 20, 12, tzinfo=UTC),
        datetime(2028, 2, 27, 9, tzinfo=UTC),
        "UTC",
        (8400, 4),
        (14000, 4),
        21,  # 27, 28, 29 February and 1 to 18 March
        6300,
        10500,
        id="across-leap-day-utc",
    ),
    pytest.param(
        datetime(2027, 3, 1, 10, tzinfo=UTC),
        datetime(2027, 4, 30, 10, tzinfo=UTC),
        "UTC",
        (12000, 12),
        (14000, 4),
        24,  # 30 April to 23 May
        3429,  # 12000 * 24 / 84 = 3428.57
        12000,  # 14000 * 24 / 28
        id="longer-product-to-shorter",
    ),
]


@pytest.mark.parametrize(
    ("bought_at", "changed_at", "zone", "before", "after", "days", "credit", "charge"), TABLE
)
async def test_upgrade_preview_matches_the_table(
    client: httpx.AsyncClient,
    factory: Factory,
    clock: FrozenClock,
    bought_at: datetime,
    changed_at: datetime,
    zone: str,
    before: tuple[int, int],
    after: tuple[int, int],
    days: int,
    credit: int,
    charge: int,
) -> None:
    move_to(clock, bought_at)
    _, current = await coach_product(client, factory, **product_terms(*before))
    _, target = await coach_product(client, factory, **product_terms(*after))
    buyer = await factory.customer()
    await set_time_zone(client, buyer, zone)
    subscription_id = await subscribe(client, buyer, current["id"])
    move_to(clock, changed_at)
    buyer.headers = await signed_in_again(client, buyer)
    response = await change(
        client,
        buyer,
        subscription_id,
        preview=True,
        action="upgrade",
        targetProductId=target["id"],
    )
    assert response.status_code == 200, response.text
    preview = response.json()["data"]
    assert preview["proration"] == {"remainingDays": days, "credit": credit, "charge": charge}
    assert preview["amountDue"] == charge - credit
    assert preview["preview"] is True
    assert preview["productId"] == target["id"]


def test_the_arithmetic_rounds_each_amount_half_up_once() -> None:
    assert prorate(DailyPrice(9999, 28), DailyPrice(15001, 28), 20).due_minor == 3573
    # Half a minor unit rounds up: 7 * 1 / 2 = 3.5.
    assert prorate(DailyPrice(7, 2), DailyPrice(9, 2), 1).credit_minor == 4
    # Days left beyond a product's length are capped at its price.
    assert prorate(DailyPrice(700, 7), DailyPrice(2800, 28), 10).credit_minor == 700


@with_settings(tax_rate_basis_points=2000, tax_inclusive=False)
async def test_an_upgrade_charges_the_difference_with_a_proration_invoice(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    move_to(clock, datetime(2028, 2, 20, 12, tzinfo=UTC))
    _, current = await coach_product(client, factory, **product_terms(8400, 4))
    _, target = await coach_product(
        client,
        factory,
        **product_terms(
            14000,
            4,
            title="Coached daily",
            included={
                "sessionsPerMonth": 8,
                "customTrainingPlan": True,
                "customDietPlan": True,
                "chatAccess": True,
            },
        ),
    )
    buyer = await factory.customer()
    subscription_id = await subscribe(client, buyer, current["id"])
    ends_at = (await me(client, buyer))["subscriptionStatus"]["subscription"]["endsAt"]
    move_to(clock, datetime(2028, 2, 27, 9, tzinfo=UTC))
    buyer.headers = await signed_in_again(client, buyer)

    done = await changed(
        client, buyer, subscription_id, action="upgrade", targetProductId=target["id"]
    )
    # 10500 - 6300 = 4200, and 20 % tax on top.
    assert (done["amountDue"], done["tax"]) == (5040, 840)
    invoice = done["invoice"]
    assert invoice["status"] == "paid"
    assert invoice["total"] == 5040
    assert [(line["kind"], line["amount"]) for line in invoice["lines"]] == [
        ("proration", 10500),
        ("proration", -6300),
    ]
    subscription = (await me(client, buyer))["subscriptionStatus"]["subscription"]
    assert subscription["productId"] == target["id"]
    assert subscription["endsAt"] == ends_at
    assert subscription["entitlements"]["sessionsPerMonth"] == 8
    async with app.state.sessionmaker() as session:
        amounts = sorted((await session.scalars(select(Payment.amount_minor))).all())
    assert amounts == [5040, 8400 + 1680]
