"""The finance report: revenue by group (gross, discounts, tax, charged, refunds, net),
refunds, outstanding invoices by age, MRR and churned revenue, for one currency and span."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.analytics.exceptions import FinanceRangeInvalid
from fitcoach.analytics.finance.repository import (
    AGING,
    OLDEST_BUCKET,
    FinanceSpec,
    finance_queries,
)

MAX_SPAN_DAYS = 731
DEFAULT_SPAN_DAYS = 30


@dataclass(frozen=True)
class FinanceQuery:
    start: date | None
    end: date | None
    currency: str
    group_by: str

    def as_json(self) -> dict[str, str | None]:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "currency": self.currency,
            "groupBy": self.group_by,
        }

    @classmethod
    def from_json(cls, fields: dict[str, str | None]) -> FinanceQuery:
        start, end = fields.get("from"), fields.get("to")
        return cls(
            date.fromisoformat(start) if start else None,
            date.fromisoformat(end) if end else None,
            str(fields["currency"]),
            str(fields["groupBy"]),
        )


@dataclass
class RevenueLine:
    key: str
    label: str
    invoices: int = 0
    gross: int = 0
    discounts: int = 0
    tax: int = 0
    charged: int = 0
    refunds: int = 0

    @property
    def net(self) -> int:
        """What the business kept: charged less refunds (tax included, shown apart)."""
        return self.charged - self.refunds


@dataclass(frozen=True)
class Aging:
    bucket: str
    invoices: int
    amount: int


@dataclass(frozen=True)
class FinanceReport:
    start: date
    end: date
    currency: str
    group_by: str
    lines: list[RevenueLine]
    total: RevenueLine
    refund_count: int
    outstanding: list[Aging]
    mrr: int
    churned: int


def span_of(query: FinanceQuery, today: date) -> tuple[date, date]:
    end = query.end or today
    start = query.start or end - timedelta(days=DEFAULT_SPAN_DAYS - 1)
    if start > end or (end - start).days >= MAX_SPAN_DAYS:
        raise FinanceRangeInvalid()
    return start, end


class FinanceService:
    def check(self, query: FinanceQuery, now: datetime) -> None:
        """Refuses a span the report would refuse, before an export of it is queued."""
        span_of(query, now.astimezone(UTC).date())

    async def report(
        self, session: AsyncSession, query: FinanceQuery, now: datetime
    ) -> FinanceReport:
        """Days are UTC days: the ledgers' instants are UTC and the report is the business's."""
        start, end = span_of(query, now.astimezone(UTC).date())
        spec = FinanceSpec(
            datetime.combine(start, time(), UTC),
            datetime.combine(end + timedelta(days=1), time(), UTC),
            query.currency,
            query.group_by,
        )
        lines: dict[str, RevenueLine] = {}
        for row in await finance_queries.revenue(session, spec):
            line = lines.setdefault(row.key, RevenueLine(row.key, row.label))
            line.invoices, line.gross, line.discounts = row.invoices, row.gross, row.discounts
            line.tax, line.charged = row.tax, row.charged
        refund_count = 0
        for refund in await finance_queries.refunds(session, spec):
            lines.setdefault(
                refund.key, RevenueLine(refund.key, refund.label)
            ).refunds = refund.amount
            refund_count += refund.count
        ordered = sorted(lines.values(), key=lambda line: (line.label, line.key))
        total = RevenueLine("total", "Total")
        for line in ordered:
            total.invoices += line.invoices
            total.gross += line.gross
            total.discounts += line.discounts
            total.tax += line.tax
            total.charged += line.charged
            total.refunds += line.refunds
        aging = await finance_queries.outstanding(session, query.currency, now)
        buckets = [name for name, _ in AGING] + [OLDEST_BUCKET]
        return FinanceReport(
            start,
            end,
            query.currency,
            query.group_by,
            ordered,
            total,
            refund_count,
            [Aging(name, *aging.get(name, (0, 0))) for name in buckets],
            await finance_queries.mrr(session, query.currency, min(now, spec.end)),
            await finance_queries.churned(session, spec),
        )


finance_service = FinanceService()
