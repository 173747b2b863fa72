"""Invoices: a customer reads their own, an admin every one."""

from __future__ import annotations

from fastapi import APIRouter, Response

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


@router.get(
    "/invoices/{invoiceId}/pdf",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The invoice as a PDF: number, dates, lines, discount, tax, totals "
            "and credit notes",
        },
        **error_responses(401, 404, 422),
    },
    summary="One invoice as a PDF (its customer, or an admin)",
)
async def get_invoice_pdf(
    invoice_id: InvoiceIdPath, actor: CurrentUser, session: ReadSession
) -> Response:
    document = await invoice_service.pdf(session, actor, invoice_id)
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="invoice-{invoice_id}.pdf"'},
    )
