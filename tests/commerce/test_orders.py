"""Placing an order: a pending order with its invoice (gap-free numbers, lines, tax, totals in
minor units) and the payment intent; the customer's open order for a product is given back."""

from __future__ import annotations

import httpx

from fitcoach.config import Settings
from tests.catalog.payloads import create_product
from tests.commerce.helpers import INVOICES, ORDERS, coach_product, keyed, place, placed
from tests.factories import Factory, assert_error, with_settings


async def test_an_order_has_an_invoice_with_lines_and_a_payment_intent(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    addon = product["addons"][0]
    buyer = await factory.customer()
    data = await placed(client, buyer, product["id"], addons=[addon["id"]])
    order, invoice, intent = data["order"], data["invoice"], data["paymentIntent"]
    assert (order["status"], order["total"], order["currency"]) == ("pending", 13500, "USD")
    assert order["addons"] == [addon["id"]]
    assert invoice["orderId"] == order["id"]
    assert invoice["status"] == "open"
    assert [(line["kind"], line["amount"]) for line in invoice["lines"]] == [
        ("product", 12000),
        ("addon", 1500),
    ]
    assert (invoice["subtotal"], invoice["discount"], invoice["tax"], invoice["total"]) == (
        13500,
        0,
        0,
        13500,
    )
    assert intent["provider"] == "sandbox"
    assert intent["id"].startswith("pi_")
    assert intent["clientSecret"].startswith(intent["id"])
    assert data["nextAction"] is None


async def test_invoice_numbers_follow_one_another(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    numbers = []
    for _ in range(3):
        buyer = await factory.customer()
        numbers.append((await placed(client, buyer, product["id"]))["invoice"]["number"])
    first = int(numbers[0].removeprefix("INV-"))
    assert numbers == [f"INV-{first + step:06d}" for step in range(3)]


async def test_a_refused_order_takes_no_invoice_number(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach, product = await coach_product(client, factory)
    buyer = await factory.customer()
    first = (await placed(client, buyer, product["id"]))["invoice"]["number"]
    draft = await create_product(client, coach)
    assert_error(await place(client, buyer, draft["id"]), 404, code="product_not_found")
    other = await factory.customer()
    second = (await placed(client, other, product["id"]))["invoice"]["number"]
    assert int(second.removeprefix("INV-")) == int(first.removeprefix("INV-")) + 1


@with_settings(tax_rate_basis_points=2000, tax_inclusive=True)
async def test_inclusive_tax_is_the_part_of_the_price_that_is_tax(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory, price=12000)
    invoice = (await placed(client, await factory.customer(), product["id"]))["invoice"]
    # 12000 / 1.2 = 10000 untaxed.
    assert (invoice["subtotal"], invoice["tax"], invoice["total"]) == (12000, 2000, 12000)
    assert (invoice["taxRateBasisPoints"], invoice["taxInclusive"]) == (2000, True)


@with_settings(tax_rate_basis_points=1400, tax_inclusive=False)
async def test_exclusive_tax_is_added_and_rounded_half_up(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory, price=12345, addons=[])
    data = await placed(client, await factory.customer(), product["id"])
    invoice = data["invoice"]
    # 12345 * 0.14 = 1728.3 -> 1728.
    assert (invoice["subtotal"], invoice["tax"], invoice["total"]) == (12345, 1728, 14073)
    assert data["order"]["total"] == 14073


async def test_the_open_order_for_a_product_is_given_back(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    first = await placed(client, buyer, product["id"])
    again = await place(client, buyer, product["id"])
    assert again.status_code == 200, again.text
    assert again.json()["data"]["order"]["id"] == first["order"]["id"]
    assert again.json()["data"]["invoice"]["number"] == first["invoice"]["number"]
    listed = await client.get(ORDERS, headers=buyer.headers)
    assert listed.json()["data"]["pagination"]["total"] == 1


async def test_what_cannot_be_ordered(client: httpx.AsyncClient, factory: Factory) -> None:
    coach, product = await coach_product(client, factory)
    _, other = await coach_product(client, factory)
    buyer = await factory.customer()
    foreign_addon = other["addons"][0]["id"]
    assert_error(
        await place(client, buyer, product["id"], addons=[foreign_addon]),
        422,
        code="addon_not_of_product",
    )
    assert_error(
        await place(client, buyer, "00000000-0000-4000-8000-000000000000"),
        404,
        code="product_not_found",
    )
    assert_error(await place(client, coach, product["id"]), 403)
    assert_error(
        await place(client, buyer, product["id"], promoCode="X"), 422, code="promo_code_unknown"
    )


async def test_an_idempotent_retry_replays_the_order(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    buyer = await factory.customer()
    headers = keyed(buyer, "order-once")
    first = await client.post(ORDERS, json={"productId": product["id"]}, headers=headers)
    second = await client.post(ORDERS, json={"productId": product["id"]}, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()


async def test_customers_read_their_own_orders_and_invoices_admins_all(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    _, product = await coach_product(client, factory)
    alice, bob, admin = await factory.customer(), await factory.customer(), await factory.admin()
    order = await placed(client, alice, product["id"])
    await placed(client, bob, product["id"])
    order_id, invoice_id = order["order"]["id"], order["invoice"]["id"]

    assert (await client.get(f"{ORDERS}/{order_id}", headers=alice.headers)).status_code == 200
    assert_error(await client.get(f"{ORDERS}/{order_id}", headers=bob.headers), 404)
    assert_error(await client.get(f"{INVOICES}/{invoice_id}", headers=bob.headers), 404)
    invoice = await client.get(f"{INVOICES}/{invoice_id}", headers=admin.headers)
    assert invoice.json()["data"]["number"] == order["invoice"]["number"]
    assert (await client.get(ORDERS, headers=bob.headers)).json()["data"]["pagination"][
        "total"
    ] == 1
    for path in (ORDERS, INVOICES):
        everything = await client.get(path, headers=admin.headers)
        assert everything.json()["data"]["pagination"]["total"] == 2
    # Nobody but the buyer sees the client secret: the order's reads leave it out.
    assert "clientSecret" not in str(
        (await client.get(f"{ORDERS}/{order_id}", headers=admin.headers)).json()
    )


def test_tax_settings_are_validated() -> None:
    assert Settings(_env_file=None, tax_rate_basis_points=2000).tax_inclusive  # type: ignore[call-arg]
