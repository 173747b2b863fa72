"""The finance report and its exports on the wire. Amounts are integer minor units."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from fitcoach.analytics.dates import IsoDate
from fitcoach.analytics.exports.service import ExportFormat, ExportStatus, Link
from fitcoach.analytics.finance.service import FinanceQuery, FinanceReport, RevenueLine
from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.models import FinanceExport

Currency = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD", examples=["USD"])
]


class GroupBy(StrEnum):
    product = "product"
    coach = "coach"
    month = "month"


class RevenueOut(ApiModel):
    key: str = Field(
        description="The product's or coach's id (drop-ins: single places in sessions, which "
        "have no product), or the month (YYYY-MM)"
    )
    label: str
    invoices: int = Field(description="Invoices paid in the span")
    gross: int = Field(description="The invoices' subtotals: list prices of their lines")
    discounts: int
    tax: int
    charged: int = Field(description="What was charged: the invoices' totals")
    refunds: int = Field(description="Credit notes issued in the span")
    net: int = Field(description="charged - refunds")

    @classmethod
    def of(cls, line: RevenueLine) -> RevenueOut:
        return cls(
            key=line.key,
            label=line.label,
            invoices=line.invoices,
            gross=line.gross,
            discounts=line.discounts,
            tax=line.tax,
            charged=line.charged,
            refunds=line.refunds,
            net=line.net,
        )


class RefundsOut(ApiModel):
    count: int
    amount: int


class AgingOut(ApiModel):
    bucket: str = Field(description="Days since issue: 0-30, 31-60, 61-90 or 90+")
    invoices: int
    amount: int


class ExportOut(ApiModel):
    id: uuid.UUID
    format: ExportFormat
    status: ExportStatus = Field(
        description=(
            "pending until the file is built; ready; failed when its build kept failing (ask "
            "again); expired once the file is deleted"
        )
    )
    size: int | None = Field(description="Bytes, once ready")
    created_at: datetime
    completed_at: datetime | None
    expires_at: datetime | None = Field(description="When the file is deleted")
    download_url: str | None = Field(description="A signed link, while the export is ready")
    download_expires_at: datetime | None

    @classmethod
    def of(cls, export: FinanceExport, link: Link | None) -> ExportOut:
        return cls(
            id=export.id,
            format=ExportFormat(export.format),
            status=ExportStatus(export.status),
            size=export.size,
            created_at=export.created_at,
            completed_at=export.completed_at,
            expires_at=export.expires_at,
            download_url=link.url if link else None,
            download_expires_at=link.expires_at if link else None,
        )


class FinanceReportOut(ApiModel):
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    currency: str
    group_by: GroupBy
    revenue: list[RevenueOut]
    total: RevenueOut
    refunds: RefundsOut
    outstanding: list[AgingOut] = Field(description="Unpaid invoices by age, whatever the span")
    mrr: int = Field(description="Monthly recurring revenue (net of tax) at the span's end")
    churned_revenue: int = Field(
        description="Monthly revenue of bought subscriptions that ended in the span unrenewed"
    )
    exports: list[ExportOut] = Field(description="The most recent exports, newest first")

    @classmethod
    def of(cls, report: FinanceReport, exports: list[ExportOut]) -> FinanceReportOut:
        return cls(
            start=report.start,
            end=report.end,
            currency=report.currency,
            group_by=GroupBy(report.group_by),
            revenue=[RevenueOut.of(line) for line in report.lines],
            total=RevenueOut.of(report.total),
            refunds=RefundsOut(count=report.refund_count, amount=report.total.refunds),
            outstanding=[
                AgingOut(bucket=a.bucket, invoices=a.invoices, amount=a.amount)
                for a in report.outstanding
            ],
            mrr=report.mrr,
            churned_revenue=report.churned,
            exports=exports,
        )


class ExportIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "format": "xlsx",
                    "from": "2026-11-01",
                    "to": "2026-11-30",
                    "currency": "USD",
                    "groupBy": "product",
                }
            ]
        }
    )

    format: ExportFormat
    start: IsoDate | None = Field(default=None, alias="from", description="Default: 30 days ago")
    end: IsoDate | None = Field(default=None, alias="to", description="Default: today (UTC)")
    currency: Currency = "USD"
    group_by: GroupBy = GroupBy.product

    def to_query(self) -> FinanceQuery:
        return FinanceQuery(self.start, self.end, self.currency, self.group_by.value)
