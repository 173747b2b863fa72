"""The report's rows as CSV (text cells a spreadsheet would run as a formula are quoted) or
XLSX (numbers typed as numbers, amounts in major units, a totals row that sums the column)."""

from __future__ import annotations

import csv
import io

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from fitcoach.analytics.finance.service import FinanceReport, RevenueLine

HEADER = ["Group", "Invoices", "Gross", "Discounts", "Tax", "Charged", "Refunds", "Net"]
# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets (OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _amounts(line: RevenueLine) -> list[int]:
    return [line.gross, line.discounts, line.tax, line.charged, line.refunds, line.net]


def as_csv(report: FinanceReport) -> bytes:
    """Amounts in integer minor units, as the API gives them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"Finance report {report.start} to {report.end} ({report.currency})"])
    writer.writerow(HEADER)
    for line in report.lines:
        writer.writerow([safe_text(line.label), line.invoices, *_amounts(line)])
    writer.writerow(["Total", report.total.invoices, *_amounts(report.total)])
    return out.getvalue().encode()


def as_xlsx(report: FinanceReport, minor_per_major: int = 100) -> bytes:
    """Amounts in major units (numbers with two decimals); the totals row is SUM formulas
    with their values cached, so a reader without a calculation engine sees them too."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Revenue")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    money_total = book.add_format({"num_format": "#,##0.00", "bold": True})
    sheet.write_string(0, 0, f"Finance report {report.start} to {report.end}", bold)
    sheet.write_string(0, 2, report.currency, bold)
    sheet.write_row(1, 0, HEADER, bold)
    first = 2
    for row, line in enumerate(report.lines, start=first):
        sheet.write_string(row, 0, line.label)
        sheet.write_number(row, 1, line.invoices)
        for column, amount in enumerate(_amounts(line), start=2):
            sheet.write_number(row, column, amount / minor_per_major, money)
    total_row = first + len(report.lines)
    sheet.write_string(total_row, 0, "Total", bold)
    totals = [report.total.invoices] + [a / minor_per_major for a in _amounts(report.total)]
    for column, value in enumerate(totals, start=1):
        top = xl_rowcol_to_cell(first, column)
        bottom = xl_rowcol_to_cell(max(total_row - 1, first), column)
        formula = f"=SUM({top}:{bottom})" if report.lines else "=0"
        sheet.write_formula(total_row, column, formula, money_total if column > 1 else bold, value)
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 7, 14)
    book.close()
    return out.getvalue()
