"""GET /invoices/{id}/pdf: a real PDF, read back with pypdf, showing the number, dates, lines,
discount, tax, totals and credit notes; its customer's own, every one for an admin, not found
for anyone else."""

from __future__ import annotations

import io

import httpx
from pypdf import PdfReader

from fitcoach.core.clock import FrozenClock
from tests.commerce.helpers import INVOICES, coach_product, confirm, placed
from tests.factories import Factory, assert_error, with_settings


def _text(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


@with_settings(tax_rate_basis_points=1900, tax_inclusive=False)
async def test_the_invoice_pdf_shows_what_the_invoice_says(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin = await factory.admin()
    promo = await client.post(
        "/api/v1/admin/promo-codes",
        json={"code": "TENOFF", "percentOff": 10},
        headers=admin.headers,
    )
    assert promo.status_code == 201, promo.text
    _, product = await coach_product(client, factory, price=10000)
    addon = product["addons"][0]["id"]
    buyer = await factory.customer()
    order = await placed(client, buyer, product["id"], addons=[addon], promoCode="TENOFF")
    assert (await confirm(client, buyer, order["order"]["id"])).status_code == 200
    refund = await client.post(
        f"/api/v1/admin/orders/{order['order']['id']}/refunds",
        json={"amount": 2500, "reason": "Two sessions missed"},
        headers=admin.headers,
    )
    assert refund.status_code == 201, refund.text
    invoice_id = order["invoice"]["id"]
    invoice = (await client.get(f"{INVOICES}/{invoice_id}", headers=buyer.headers)).json()["data"]

    response = await client.get(f"{INVOICES}/{invoice_id}/pdf", headers=buyer.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = _text(response.content)
    # 100.00 + 15.00, 10 % off (11.50), 19 % tax on 103.50 (19.67): 123.17.
    assert (invoice["subtotal"], invoice["discount"], invoice["tax"], invoice["total"]) == (
        11500,
        1150,
        1967,
        12317,
    )
    for expected in (
        f"Invoice {invoice['number']}",
        "Product: Shred in twelve",
        "100.00 USD",
        "Add-on: Meal prep guide",
        "15.00 USD",
        "Discount: Promo code TENOFF",
        "Subtotal",
        "115.00 USD",
        "-11.50 USD",
        "Tax (19 %, added)",
        "19.67 USD",
        "Total",
        "123.17 USD",
        "Credit notes",
        invoice["creditNotes"][0]["number"],
        "Two sessions missed",
        "-25.00 USD",
        "98.17 USD",
        f"Issued: {clock.now():%d %B %Y}",
        f"Paid: {clock.now():%d %B %Y}",
    ):
        assert expected in text, (expected, text)

    as_admin = await client.get(f"{INVOICES}/{invoice_id}/pdf", headers=admin.headers)
    assert as_admin.status_code == 200
    assert _text(as_admin.content) == text
    stranger = await factory.customer()
    refused = await client.get(f"{INVOICES}/{invoice_id}/pdf", headers=stranger.headers)
    assert_error(refused, 404, code="invoice_not_found")
