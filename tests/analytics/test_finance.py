"""The finance report through HTTP: its figures reconcile with the orders, invoices, payments
and refunds ledgers to the cent over random purchase histories (hypothesis, through the
commerce API); outstanding invoices by age; and exports built by the worker, downloaded,
parsed back, refused once altered or expired, and deleted by the clean-up job."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from fitcoach.analytics.exports.service import BUILD_ATTEMPTS, BUILD_JOB, delete_expired_exports
from fitcoach.core.clock import FrozenClock
from fitcoach.models import FinanceExport, Invoice, Job, Payment, Refund
from fitcoach.worker.jobs import JobContext
from tests.commerce.helpers import coach_product, confirm, keyed, placed
from tests.factories import Account, Factory, assert_error, with_settings
from tests.scheduling.helpers import scheduled

REPORT = "/api/v1/reports/finance"
EXPORTS = "/api/v1/reports/finance/exports"

purchases = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=500_000),
        st.sampled_from(["pm_card_visa", "pm_card_chargeDeclined", None]),
        # Refunds asked for, as shares of the total; past the payment they are refused.
        st.lists(st.sampled_from([0.1, 0.5, 1.0, 1.5]), max_size=2),
    ),
    min_size=1,
    max_size=3,
)


async def _sum(app: FastAPI, column: Any, *where: Any) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.coalesce(func.sum(column), 0)).where(*where)))


async def _report(client: httpx.AsyncClient, admin: Account, **params: Any) -> dict[str, Any]:
    params = {"from": "2025-01-01", **params}
    response = await client.get(REPORT, params=params, headers=admin.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


@with_settings(tax_rate_basis_points=1900, tax_inclusive=False, rate_limit_enabled=False)
@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=purchases)
async def test_the_report_reconciles_with_the_ledgers_to_the_cent(
    app: FastAPI,
    client: httpx.AsyncClient,
    factory: Factory,
    clock: FrozenClock,
    history: list[tuple[int, str | None, list[float]]],
) -> None:
    """Each example adds to the same database: its own purchases are the report's change,
    and the report's totals are the ledgers' sums over everything so far."""
    admin = await factory.admin()
    before = (await _report(client, admin))["total"]
    charged = refunded = 0
    for price, method, refunds in history:
        _, product = await coach_product(client, factory, price=price)
        buyer = await factory.customer()
        order = await placed(client, buyer, product["id"])
        if method is None:
            continue
        paid = await confirm(client, buyer, order["order"]["id"], method)
        if paid.status_code != 200:
            continue
        charged += order["order"]["total"]
        for share in refunds:
            amount = max(1, int(order["order"]["total"] * share))
            given_back = await client.post(
                f"/api/v1/admin/orders/{order['order']['id']}/refunds",
                json={"amount": amount, "reason": "test"},
                headers=admin.headers,
            )
            refunded += amount if given_back.status_code == 201 else 0

    reports = {by: await _report(client, admin, groupBy=by) for by in ("product", "coach", "month")}
    total = reports["product"]["total"]
    assert total["charged"] - before["charged"] == charged
    assert total["refunds"] - before["refunds"] == refunded
    assert total["net"] == total["charged"] - total["refunds"]
    assert total["charged"] == total["gross"] - total["discounts"] + total["tax"]  # tax added
    # Against the ledgers: every payment, paid invoice and credit note so far.
    assert total["charged"] == await _sum(app, Payment.amount_minor)
    assert total["charged"] == await _sum(app, Invoice.total_minor, Invoice.paid_at.is_not(None))
    assert total["tax"] == await _sum(app, Invoice.tax_minor, Invoice.paid_at.is_not(None))
    assert total["refunds"] == await _sum(app, Refund.amount_minor)
    assert reports["product"]["refunds"]["amount"] == total["refunds"]
    for report in reports.values():
        assert report["total"] == {**total, "key": "total", "label": "Total"}
        for field in ("invoices", "gross", "discounts", "tax", "charged", "refunds", "net"):
            assert sum(line[field] for line in report["revenue"]) == total[field], field
    unpaid = sum(bucket["amount"] for bucket in reports["product"]["outstanding"])
    assert unpaid == await _sum(app, Invoice.total_minor, Invoice.paid_at.is_(None))
    assert reports["product"]["outstanding"][0]["bucket"] == "0-30"


async def test_drop_in_places_are_revenue_of_their_own_group_and_coach(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin, coach, buyer = await factory.admin(), await factory.coach(), await factory.customer()
    yoga = await scheduled(
        factory, coach, coach, type="class", dropIn={"price": 2500, "currency": "USD"}
    )
    placed_order = await client.post(
        "/api/v1/orders", json={"sessionId": yoga["id"]}, headers=keyed(buyer)
    )
    assert placed_order.status_code == 201, placed_order.text
    paid = await confirm(client, buyer, placed_order.json()["data"]["order"]["id"])
    assert paid.status_code == 200, paid.text
    charged = paid.json()["data"]["order"]["total"]

    by_product = await _report(client, admin, groupBy="product")
    assert [(line["key"], line["label"], line["charged"]) for line in by_product["revenue"]] == [
        ("drop-ins", "Drop-in sessions", charged)
    ]
    by_coach = await _report(client, admin, groupBy="coach")
    assert [(line["key"], line["charged"]) for line in by_coach["revenue"]] == [
        (coach.user_id, charged)
    ]
    assert by_product["total"]["charged"] == await _sum(app, Payment.amount_minor)


async def _run_build_jobs(app: FastAPI) -> None:
    async with app.state.sessionmaker() as session:
        ids = list(await session.scalars(select(Job.id).where(Job.name == BUILD_JOB)))
    assert ids
    for job_id in ids:
        await app.state.worker.runner.run(job_id, set())


@with_settings(tax_rate_basis_points=1900, tax_inclusive=False, access_token_ttl_seconds=86_400)
async def test_an_export_is_built_downloaded_parsed_back_and_refused_once_expired(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin = await factory.admin()
    # A title a spreadsheet would run as a formula, were it not quoted.
    _, product = await coach_product(client, factory, price=10_000, title="=HYPERLINK(1)")
    buyer = await factory.customer()
    order = await placed(client, buyer, product["id"])
    assert (await confirm(client, buyer, order["order"]["id"])).status_code == 200

    requested = {}
    for export_format in ("xlsx", "csv"):
        response = await client.post(
            EXPORTS, json={"format": export_format, "groupBy": "product"}, headers=admin.headers
        )
        assert response.status_code == 202, response.text
        assert response.json()["data"]["status"] == "pending"
        requested[export_format] = response.json()["data"]["id"]
    await _run_build_jobs(app)

    exports = {e["id"]: e for e in (await _report(client, admin))["exports"]}
    xlsx, csv_export = exports[requested["xlsx"]], exports[requested["csv"]]
    assert (xlsx["status"], csv_export["status"]) == ("ready", "ready")

    downloaded = await client.get(xlsx["downloadUrl"])  # the signed link alone opens it
    assert downloaded.status_code == 200, downloaded.text
    sheet = load_workbook(io.BytesIO(downloaded.content), data_only=True).active
    formulas = load_workbook(io.BytesIO(downloaded.content)).active
    assert sheet is not None
    assert formulas is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == (
        "Group",
        "Invoices",
        "Gross",
        "Discounts",
        "Tax",
        "Charged",
        "Refunds",
        "Net",
    )
    assert rows[2] == ("=HYPERLINK(1)", 1, 100.0, 0.0, 19.0, 119.0, 0.0, 119.0)
    assert rows[3][0] == "Total"
    assert rows[3][1:] == (1, 100.0, 0.0, 19.0, 119.0, 0.0, 119.0)  # the SUMs' cached values
    assert formulas.cell(row=4, column=6).value == "=SUM(F3:F3)"  # a formula, not a number

    as_text = (await client.get(csv_export["downloadUrl"])).content.decode()
    parsed = list(csv.reader(io.StringIO(as_text)))
    assert parsed[2] == ["'=HYPERLINK(1)", "1", "10000", "0", "1900", "11900", "0", "11900"]
    assert parsed[3] == ["Total", "1", "10000", "0", "1900", "11900", "0", "11900"]

    url = xlsx["downloadUrl"]
    altered = url.replace("signature=", "signature=0")
    assert_error(await client.get(altered), 403, code="export_link_invalid")
    clock.advance(seconds=3601)
    assert_error(await client.get(url), 403, code="export_link_invalid")
    # A fresh link works until the file itself expires, a day after it was built.
    fresh = {e["id"]: e for e in (await _report(client, admin))["exports"]}[requested["xlsx"]]
    assert (await client.get(fresh["downloadUrl"])).status_code == 200

    clock.advance(seconds=24 * 3600)
    admin = await factory.admin()  # the first one's session has expired meanwhile
    async with app.state.sessionmaker() as session, session.begin():
        context = JobContext(session, clock.now(), uuid.uuid4(), 1, app.state)
        await delete_expired_exports(context)
    async with app.state.sessionmaker() as session:
        states = list(await session.scalars(select(FinanceExport.status)))
    assert states == ["expired", "expired"]
    final = {e["id"]: e for e in (await _report(client, admin))["exports"]}[requested["xlsx"]]
    assert (final["status"], final["downloadUrl"]) == ("expired", None)
    assert_error(await client.get(fresh["downloadUrl"]), 403, code="export_link_invalid")


async def test_exports_and_the_report_are_for_admins(factory: Factory, clock: FrozenClock) -> None:
    coach, customer = await factory.coach(), await factory.customer()
    for caller in (coach, customer):
        assert_error(await factory.client.get(REPORT, headers=caller.headers), 403)
        response = await factory.client.post(
            EXPORTS, json={"format": "csv"}, headers=caller.headers
        )
        assert_error(response, 403)
    admin = await factory.admin()
    bad = await factory.client.get(
        REPORT, params={"from": "2026-12-07", "to": "2026-01-01"}, headers=admin.headers
    )
    assert_error(bad, 422, code="finance_range_invalid")
    unknown = f"/api/v1/exports/{'0' * 8}-0000-0000-0000-{'0' * 12}/download"
    missing = await factory.client.get(unknown, params={"expires": 1, "signature": "ab"})
    assert_error(missing, 403, code="export_link_invalid")


async def test_an_export_whose_build_keeps_failing_is_reported_failed(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    # The exports' folder cannot be made: a file stands where it should be.
    (app.state.settings.data_dir / "exports").write_text("not a folder")
    admin = await factory.admin()
    response = await client.post(EXPORTS, json={"format": "csv"}, headers=admin.headers)
    assert response.status_code == 202, response.text
    export_id = response.json()["data"]["id"]

    for attempt in range(1, BUILD_ATTEMPTS + 1):
        await _run_build_jobs(app)
        async with app.state.sessionmaker() as session:
            job = await session.scalar(select(Job).where(Job.name == BUILD_JOB))
            export = await session.get(FinanceExport, uuid.UUID(export_id))
        assert job is not None
        assert export is not None
        assert job.attempts == attempt
        # Retried while attempts remain; the last one records the failure and ends the job.
        expected = ("pending", "pending") if attempt < BUILD_ATTEMPTS else ("succeeded", "failed")
        assert (job.state, export.status) == expected
        clock.advance(seconds=2 * 3600)

    admin = await factory.admin()  # the first one's session has expired meanwhile
    listed = {e["id"]: e for e in (await _report(client, admin))["exports"]}[export_id]
    assert (listed["status"], listed["downloadUrl"], listed["size"]) == ("failed", None, None)
    assert listed["completedAt"] is not None
