"""The finance report's queries over commerce's ledgers (orders, invoices, refunds) and the
subscriptions they bought; every figure is a SQL aggregate, in integer minor units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, and_, case, cast, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from fitcoach.analytics.sql import DateSql
from fitcoach.models import Invoice, Order, Product, Refund, ScheduledSession, Subscription, User

AGING = (("0-30", 30), ("31-60", 60), ("61-90", 90))
OLDEST_BUCKET = "90+"
DAYS_PER_MONTH = 30
# The product's (or the drop-in session's) coach, a second use of `users` in the revenue queries.
_COACH = aliased(User, name="coach")
# The product group of orders for single places in sessions (drop-ins), which have no product.
DROP_INS_KEY = "drop-ins"
DROP_INS_LABEL = "Drop-in sessions"


@dataclass(frozen=True)
class FinanceSpec:
    start: datetime  # UTC instants: [start, end)
    end: datetime
    currency: str
    group_by: str  # "product", "coach" or "month"


@dataclass(frozen=True)
class RevenueRow:
    key: str
    label: str
    invoices: int
    gross: int
    discounts: int
    tax: int
    charged: int


@dataclass(frozen=True)
class RefundRow:
    key: str
    label: str
    count: int
    amount: int


def _group(sql: DateSql, group_by: str, moment: Any) -> tuple[Any, Any]:
    """The group's key and label columns: the product, its coach, or the month of `moment`."""
    if group_by == "product":
        return Product.id, Product.title
    if group_by == "coach":
        return _COACH.id, _COACH.name
    month = sql.month_label(moment)
    return month, month


def _joined(statement: Any, group_by: str) -> Any:
    statement = statement.join(Order, Order.id == Invoice.order_id).outerjoin(
        Product, Product.id == Order.product_id
    )
    if group_by == "coach":
        statement = statement.outerjoin(
            ScheduledSession, ScheduledSession.id == Order.session_id
        ).join(_COACH, _COACH.id == func.coalesce(Product.coach_id, ScheduledSession.coach_id))
    return statement


def _named(key: Any, label: Any) -> tuple[str, str]:
    """A group's key and label as reported: drop-ins group under no product."""
    if key is None:
        return DROP_INS_KEY, DROP_INS_LABEL
    return str(key), str(label)


class FinanceQueries:
    @staticmethod
    def _sql(session: AsyncSession) -> DateSql:
        return DateSql(session.get_bind().dialect.name == "postgresql")

    async def revenue(self, session: AsyncSession, spec: FinanceSpec) -> list[RevenueRow]:
        """Invoices paid in the span, by group."""
        key, label = _group(self._sql(session), spec.group_by, Invoice.paid_at)
        statement = _joined(
            select(
                key,
                func.min(label),
                func.count(),
                func.sum(Invoice.subtotal_minor),
                func.sum(Invoice.discount_minor),
                func.sum(Invoice.tax_minor),
                func.sum(Invoice.total_minor),
            ).select_from(Invoice),
            spec.group_by,
        )
        statement = statement.where(
            Invoice.paid_at >= spec.start,
            Invoice.paid_at < spec.end,
            Invoice.currency == spec.currency,
        ).group_by(key)
        rows = await session.execute(statement)
        return [
            RevenueRow(*_named(k, lab), int(n), int(g), int(d), int(t), int(c))
            for k, lab, n, g, d, t, c in rows
        ]

    async def refunds(self, session: AsyncSession, spec: FinanceSpec) -> list[RefundRow]:
        """Credit notes issued in the span, by the group of the invoice they refund (by month:
        the credit note's own month)."""
        key, label = _group(self._sql(session), spec.group_by, Refund.created_at)
        statement = _joined(
            select(key, func.min(label), func.count(), func.sum(Refund.amount_minor))
            .select_from(Refund)
            .join(Invoice, Invoice.id == Refund.invoice_id),
            spec.group_by,
        )
        statement = statement.where(
            Refund.created_at >= spec.start,
            Refund.created_at < spec.end,
            Refund.currency == spec.currency,
        ).group_by(key)
        rows = await session.execute(statement)
        return [RefundRow(*_named(k, lab), int(n), int(a)) for k, lab, n, a in rows]

    async def outstanding(
        self, session: AsyncSession, currency: str, now: datetime
    ) -> dict[str, tuple[int, int]]:
        """Invoices not paid, by age since issue: bucket -> (count, amount)."""
        bucket = case(
            *[(Invoice.issued_at > now - timedelta(days=days), name) for name, days in AGING],
            else_=OLDEST_BUCKET,
        )
        statement = (
            select(bucket, func.count(), func.sum(Invoice.total_minor))
            .where(Invoice.paid_at.is_(None), Invoice.currency == currency)
            .group_by(bucket)
        )
        return {str(name): (int(n), int(a)) for name, n, a in await session.execute(statement)}

    @staticmethod
    def _monthly() -> Any:
        """A bought subscription's price net of tax, per 30 days of its term."""
        return func.sum(
            cast(Invoice.total_minor - Invoice.tax_minor, Float)
            * DAYS_PER_MONTH
            / cast(Subscription.days, Float)
        )

    def _bought(self, currency: str) -> Any:
        return (
            select(self._monthly())
            .select_from(Subscription)
            .join(Order, Order.subscription_id == Subscription.id)
            .join(Invoice, Invoice.order_id == Order.id)
            .where(
                Subscription.product_id.is_not(None),
                Subscription.days > 0,
                Invoice.paid_at.is_not(None),
                Invoice.currency == currency,
            )
        )

    async def mrr(self, session: AsyncSession, currency: str, moment: datetime) -> int:
        """Monthly recurring revenue of the bought subscriptions active at `moment`."""
        statement = self._bought(currency).where(
            Subscription.starts_at <= moment, Subscription.ends_at > moment
        )
        return round(await session.scalar(statement) or 0)

    async def churned(self, session: AsyncSession, spec: FinanceSpec) -> int:
        """Monthly revenue of the bought subscriptions that ended in the span and were not
        followed by another bought one of the same customer."""
        after = aliased(Subscription, name="renewal")
        renewed = exists().where(
            and_(
                after.user_id == Subscription.user_id,
                after.id != Subscription.id,
                after.product_id.is_not(None),
                after.starts_at <= Subscription.ends_at,
                after.ends_at > Subscription.ends_at,
            )
        )
        statement = self._bought(spec.currency).where(
            Subscription.ends_at >= spec.start, Subscription.ends_at < spec.end, ~renewed
        )
        return round(await session.scalar(statement) or 0)


finance_queries = FinanceQueries()
