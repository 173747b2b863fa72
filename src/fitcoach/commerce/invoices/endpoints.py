"""Invoices: a customer reads their own, an admin every one."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import CurrentUser
from fitcoach.commerce.invoices.schemas import InvoiceOut
from fitcoach.commerce.invoices.service import invoice_service
from fitcoach.db.session import ReadSession
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import InvoiceIdPath

router = APIRouter(tags=["commerce"])


@router.get(
    "/invoices",
    response_model=DataEnvelope[Page[InvoiceOut]],
    responses=error_responses(401, 422),
    summary="Invoices, newest first: a customer's own, every invoice for an admin",
)
async def list_invoices(
    actor: CurrentUser, session: ReadSession, page: PageRequestDep
) -> DataEnvelope[Page[InvoiceOut]]:
    invoices, total = await invoice_service.page(session, actor, page)
    return ok(Page[InvoiceOut].of([InvoiceOut.of(one) for one in invoices], total, page))


@router.get(
    "/invoices/{invoiceId}",
    response_model=DataEnvelope[InvoiceOut],
    responses=error_responses(401, 404, 422),
    summary="One invoice with its lines (its customer, or an admin)",
)
async def get_invoice(
    invoice_id: InvoiceIdPath, actor: CurrentUser, session: ReadSession
) -> DataEnvelope[InvoiceOut]:
    return ok(InvoiceOut.of(await invoice_service.get(session, actor, invoice_id)))
