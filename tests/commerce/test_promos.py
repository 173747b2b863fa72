"""Promo codes: the admin's CRUD, every rule at order time, redemption counted at payment, and
the limits checked again at payment (nothing charged when the code is used up meanwhile)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from fitcoach.core.clock import FrozenClock
from tests.commerce.helpers import coach_product, confirm, place, placed
from tests.factories import Account, Factory, assert_error

PROMOS = "/api/v1/admin/promo-codes"


async def create_promo(client: httpx.AsyncClient, admin: Account, **body: Any) -> dict[str, Any]:
    response = await client.post(PROMOS, json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _promo(client: httpx.AsyncClient, admin: Account, promo_id: str) -> dict[str, Any]:
    data: dict[str, Any] = (await client.get(f"{PROMOS}/{promo_id}", headers=admin.headers)).json()[
        "data"
    ]
    return data


async def test_admins_manage_promo_codes(client: httpx.AsyncClient, factory: Factory) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    promo = await create_promo(client, admin, code="spring25", percentOff=25, maxRedemptions=3)
    assert (promo["code"], promo["percentOff"], promo["redemptions"]) == ("SPRING25", 25, 0)
    assert_error(
        await client.post(
            PROMOS, json={"code": "SPRING25", "percentOff": 5}, headers=admin.headers
        ),
        409,
        code="promo_code_taken",
    )
    changed = await client.patch(
        f"{PROMOS}/{promo['id']}", json={"active": False}, headers=admin.headers
    )
    assert changed.json()["data"]["active"] is False
    assert changed.json()["data"]["maxRedemptions"] == 3
    listed = await client.get(PROMOS, headers=admin.headers)
    assert [one["code"] for one in listed.json()["data"]["items"]] == ["SPRING25"]
    assert_error(await client.get(PROMOS, headers=customer.headers), 403)
    deleted = await client.delete(f"{PROMOS}/{promo['id']}", headers=admin.headers)
    assert deleted.status_code == 200, deleted.text
    assert_error(await client.get(f"{PROMOS}/{promo['id']}", headers=admin.headers), 404)


async def test_invalid_promo_codes_are_refused(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin = await factory.admin()
    for body in (
        {"code": "BOTH", "percentOff": 10, "amountOff": 100, "currency": "USD"},
        {"code": "NONE"},
        {"code": "NOCUR", "amountOff": 100},
        {"code": "PCT", "percentOff": 101},
        {"code": "x", "percentOff": 10},
    ):
        assert_error(await client.post(PROMOS, json=body, headers=admin.headers), 422)
    now = clock.now()
    window = {
        "code": "BACKWARDS",
        "percentOff": 10,
        "validFrom": now.isoformat(),
        "validTo": (now - timedelta(days=1)).isoformat(),
    }
    assert_error(
        await client.post(PROMOS, json=window, headers=admin.headers),
        422,
        code="promo_validity_window",
    )


async def test_a_percent_code_is_a_discount_line_redeemed_at_payment(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    _, product = await coach_product(client, factory, price=9999, addons=[])
    promo = await create_promo(client, admin, code="TAKE15", percentOff=15)
    buyer = await factory.customer()
    order = await placed(client, buyer, product["id"], promoCode="take15")
    invoice = order["invoice"]
    # 15 % of 9999 = 1499.85 -> 1500.
    assert invoice["lines"][-1] == {
        "kind": "discount",
        "description": "Promo code TAKE15",
        "amount": -1500,
    }
    assert (invoice["subtotal"], invoice["discount"], invoice["total"]) == (9999, 1500, 8499)
    assert (await _promo(client, admin, promo["id"]))["redemptions"] == 0
    assert (await confirm(client, buyer, order["order"]["id"])).status_code == 200
    assert (await _promo(client, admin, promo["id"]))["redemptions"] == 1
    assert_error(
        await client.delete(f"{PROMOS}/{promo['id']}", headers=admin.headers),
        409,
        code="promo_code_redeemed",
    )


async def test_a_fixed_code_never_takes_more_than_the_price(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    _, product = await coach_product(client, factory, price=800, addons=[])
    await create_promo(client, admin, code="BIG", amountOff=1000, currency="USD")
    await create_promo(client, admin, code="EUROS", amountOff=100, currency="EUR")
    buyer = await factory.customer()
    assert_error(
        await place(client, buyer, product["id"], promoCode="EUROS"),
        422,
        code="promo_code_currency_mismatch",
    )
    invoice = (await placed(client, buyer, product["id"], promoCode="BIG"))["invoice"]
    assert (invoice["discount"], invoice["total"]) == (800, 0)


async def test_every_rule_of_a_code_is_checked_at_order_time(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin = await factory.admin()
    _, product = await coach_product(client, factory)
    _, other = await coach_product(client, factory)
    now = clock.now()
    await create_promo(client, admin, code="OFF", percentOff=10, active=False)
    await create_promo(
        client, admin, code="LATER", percentOff=10, validFrom=(now + timedelta(days=1)).isoformat()
    )
    await create_promo(
        client, admin, code="GONE", percentOff=10, validTo=(now - timedelta(seconds=1)).isoformat()
    )
    await create_promo(client, admin, code="OTHER", percentOff=10, productIds=[other["id"]])
    await create_promo(client, admin, code="FIRST", percentOff=10, firstOrderOnly=True)
    await create_promo(client, admin, code="ONCE", percentOff=10, maxPerCustomer=1)
    buyer = await factory.customer()
    for code, expected in (
        ("NOPE", "promo_code_unknown"),
        ("OFF", "promo_code_inactive"),
        ("LATER", "promo_code_not_yet_valid"),
        ("GONE", "promo_code_expired"),
        ("OTHER", "promo_code_not_for_product"),
    ):
        response = await place(client, buyer, product["id"], promoCode=code)
        assert_error(response, 422, code=expected)
    once = await placed(client, buyer, product["id"], promoCode="ONCE")
    assert (await confirm(client, buyer, once["order"]["id"])).status_code == 200
    assert_error(
        await place(client, buyer, product["id"], promoCode="FIRST"),
        422,
        code="promo_code_first_order_only",
    )
    assert_error(
        await place(client, buyer, product["id"], promoCode="ONCE"),
        409,
        code="promo_code_customer_limit_reached",
    )


async def test_a_code_used_up_before_payment_charges_nothing(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    _, product = await coach_product(client, factory)
    await create_promo(client, admin, code="LAST", percentOff=50, maxRedemptions=1)
    first, second = await factory.customer(), await factory.customer()
    one = await placed(client, first, product["id"], promoCode="LAST")
    two = await placed(client, second, product["id"], promoCode="LAST")
    assert (await confirm(client, first, one["order"]["id"])).status_code == 200
    refused = await confirm(client, second, two["order"]["id"])
    assert_error(refused, 409, code="promo_code_exhausted")
    assert app.state.payment_provider.captures[two["paymentIntent"]["id"]] == 0
