"""An invoice as a PDF (fpdf2): its number, dates in the customer's time zone, lines, discount,
tax, totals and the credit notes on it. Built from plain values, so it can run in a worker
thread away from the event loop. The PDF core font covers Latin-1; a character outside it (a
product named in another script) is printed as "?" rather than failing the document."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from fitcoach.models import Invoice

_KINDS = {"product": "Product", "addon": "Add-on", "session": "Session", "discount": "Discount"}


@dataclass(frozen=True)
class InvoiceDocument:
    invoice: Invoice
    customer_name: str
    zone: ZoneInfo


def _latin1(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return folded.encode("latin-1", "replace").decode("latin-1")


def _money(amount_minor: int, currency: str) -> str:
    sign = "-" if amount_minor < 0 else ""
    return f"{sign}{abs(amount_minor) / 100:,.2f} {currency}"


def _date(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d %B %Y")


class _Sheet:
    def __init__(self) -> None:
        # Imported here: fpdf2 (with fontTools) costs every process most of a second at
        # start-up, for the one route that draws a PDF.
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.add_page()

    def text(self, value: str, *, size: int = 10, bold: bool = False) -> None:
        self.pdf.set_font("Helvetica", "B" if bold else "", size)
        self.pdf.cell(0, 7, _latin1(value), new_x="LMARGIN", new_y="NEXT")

    def row(self, label: str, amount: str, *, bold: bool = False) -> None:
        self.pdf.set_font("Helvetica", "B" if bold else "", 10)
        self.pdf.cell(130, 7, _latin1(label))
        self.pdf.cell(0, 7, amount, align="R", new_x="LMARGIN", new_y="NEXT")


def render_invoice(document: InvoiceDocument) -> bytes:
    invoice, zone = document.invoice, document.zone
    currency = invoice.currency
    sheet = _Sheet()
    sheet.text(f"Invoice {invoice.number}", size=18, bold=True)
    sheet.text(f"Billed to: {document.customer_name}")
    sheet.text(f"Issued: {_date(invoice.issued_at, zone)}")
    paid = _date(invoice.paid_at, zone) if invoice.paid_at else "not paid"
    sheet.text(f"Paid: {paid}")
    sheet.pdf.ln(4)
    for line in invoice.lines:
        label = f"{_KINDS.get(line.kind, line.kind)}: {line.description}"
        sheet.row(label, _money(line.amount_minor, currency))
    sheet.pdf.ln(2)
    sheet.row("Subtotal", _money(invoice.subtotal_minor, currency))
    sheet.row("Discount", _money(-invoice.discount_minor, currency))
    rate = f"{invoice.tax_rate_basis_points / 100:g} %"
    included = "included" if invoice.tax_inclusive else "added"
    sheet.row(f"Tax ({rate}, {included})", _money(invoice.tax_minor, currency))
    sheet.row("Total", _money(invoice.total_minor, currency), bold=True)
    if invoice.refunds:
        sheet.pdf.ln(4)
        sheet.text("Credit notes", size=12, bold=True)
        for refund in invoice.refunds:
            label = (
                f"{refund.credit_note_number} ({_date(refund.created_at, zone)}): {refund.reason}"
            )
            sheet.row(label, _money(-refund.amount_minor, currency))
        refunded = sum(refund.amount_minor for refund in invoice.refunds)
        sheet.row("Total after credit notes", _money(invoice.total_minor - refunded, currency))
    return bytes(sheet.pdf.output())
