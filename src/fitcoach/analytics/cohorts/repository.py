"""The cohort query: members (who is in which cohort, since when, how many periods they have
had), their activity per period, and the cells (cohort, period, base, count, amount), all in one
SQL statement of common table expressions; Python only shapes the aggregated rows.

The caller's scope arrives as a condition on `users` from the customers domain's rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from fitcoach.analytics.sql import DateSql, sort_memory
from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import (
    CoachAssignment,
    Invoice,
    Order,
    Product,
    Refund,
    TrainingDay,
    User,
    UserIdentity,
)

DIMENSIONS = ("signupMonth", "program", "coach", "channel")
METRICS = ("retention", "adherence", "revenuePerCustomer", "churn")


@dataclass(frozen=True)
class CohortSpec:
    dimension: str
    metric: str
    interval: str  # "week" or "month"
    since: date  # first signup day of the cohorts
    today: date
    periods: int
    currency: str


@dataclass(frozen=True)
class CohortRow:
    key: str
    label: str
    size: int


@dataclass(frozen=True)
class CellRow:
    key: str
    period: int
    base: int  # members who have reached the period
    count: int  # members the cell's value counts (active, churned, paying, scheduled)
    amount: float  # revenue (minor units) or items done, per metric
    scheduled: int  # items scheduled (adherence)


@dataclass(frozen=True)
class DrillRow:
    id: uuid.UUID
    name: str
    signed_up_at: datetime


def _first_of(partition: Any, order: Any) -> Any:
    """1 on the first row of each partition: the customer's first order, coach, identity."""
    return func.row_number().over(partition_by=partition, order_by=order).label("rank")


def _keyed_customers(sql: DateSql, dimension: str) -> Any:
    """Customers with their cohort's key and label: the signup month, the program of their first
    paid order of a program (a drop-in place has none), their first coach, or how they signed
    up (a social provider, phone or e-mail). A customer without a program or a coach is in no
    cohort of that dimension."""
    statement: Any  # one select per dimension, of differing column types
    if dimension == "signupMonth":
        label = sql.month_label(User.created_at)
        statement = select(User.id, label.label("key"), label.label("label"))
    elif dimension == "program":
        ranked = (
            select(
                Order.user_id,
                Order.product_id,
                _first_of(Order.user_id, (Order.paid_at, Order.id)),
            )
            .where(Order.paid_at.is_not(None), Order.product_id.is_not(None))
            .subquery()
        )
        statement = (
            select(User.id, cast(Product.id, String).label("key"), Product.title.label("label"))
            .join(ranked, and_(ranked.c.user_id == User.id, ranked.c.rank == 1))
            .join(Product, Product.id == ranked.c.product_id)
        )
    elif dimension == "coach":
        coach = aliased(User)
        ranked = select(
            CoachAssignment.customer_id,
            CoachAssignment.coach_id,
            _first_of(
                CoachAssignment.customer_id, (CoachAssignment.assigned_at, CoachAssignment.id)
            ),
        ).subquery()
        statement = (
            select(User.id, cast(coach.id, String).label("key"), coach.name.label("label"))
            .join(ranked, and_(ranked.c.customer_id == User.id, ranked.c.rank == 1))
            .join(coach, coach.id == ranked.c.coach_id)
        )
    else:
        ranked = select(
            UserIdentity.user_id,
            UserIdentity.provider,
            _first_of(UserIdentity.user_id, (UserIdentity.created_at, UserIdentity.id)),
        ).subquery()
        channel = func.coalesce(
            ranked.c.provider, case((User.email.is_(None), "phone"), else_="email")
        )
        statement = select(User.id, channel.label("key"), channel.label("label")).outerjoin(
            ranked, and_(ranked.c.user_id == User.id, ranked.c.rank == 1)
        )
    return statement


# PostgreSQL's default 4 MB per sort or hash spills the cohort query's million-row join and its
# per-customer aggregate to disk (1.7 s against 1.2 s in memory over 100,000 customers and a
# million training days). Raised for the cohort statements only; an admin's or coach's report
# runs seldom, so a few at once stay within a few hundred MB.
COHORT_SORT_MEMORY = "64MB"


class CohortQueries:
    def _members(self, sql: DateSql, spec: CohortSpec, scope: ColumnElement[bool]) -> CTE:
        started = sql.utc_date(User.created_at)
        statement = _keyed_customers(sql, spec.dimension)
        since = datetime.combine(spec.since, time(), UTC)
        until = datetime.combine(spec.today + timedelta(days=1), time(), UTC)
        members: CTE = (
            statement.add_columns(
                started.label("started"),
                sql.periods_between(started, literal(spec.today), spec.interval).label("reached"),
            )
            .where(scope, User.created_at >= since, User.created_at < until)
            .cte("members")
        )
        return members

    def _events(self, sql: DateSql, spec: CohortSpec) -> CTE:
        """customer_id, day, amount, scheduled: what the metric counts, one row per event."""
        if spec.metric == "revenuePerCustomer":
            paid = select(
                Invoice.user_id.label("customer_id"),
                sql.utc_date(Invoice.paid_at).label("day"),
                Invoice.total_minor.label("amount"),
                literal(0).label("scheduled"),
            ).where(Invoice.paid_at.is_not(None), Invoice.currency == spec.currency)
            refunded = (
                select(
                    Invoice.user_id,
                    sql.utc_date(Refund.created_at),
                    -Refund.amount_minor,
                    literal(0),
                )
                .join(Invoice, Invoice.id == Refund.invoice_id)
                .where(Refund.currency == spec.currency)
            )
            return union_all(paid, refunded).cte("events")
        done = select(
            TrainingDay.customer_id,
            TrainingDay.local_date.label("day"),
            TrainingDay.items_done.label("amount"),
            TrainingDay.items.label("scheduled"),
        )
        if spec.metric == "adherence":
            return done.where(TrainingDay.items > 0).cte("events")
        return done.where(TrainingDay.items_done > 0).cte("events")

    def _activity(self, sql: DateSql, spec: CohortSpec, members: CTE) -> CTE:
        """Per member and period since their start: the events' amount and scheduled items."""
        events = self._events(sql, spec)
        period = sql.periods_between(members.c.started, events.c.day, spec.interval)
        return (
            select(
                members.c.key,
                members.c.id.label("customer_id"),
                period.label("period"),
                func.sum(events.c.amount).label("amount"),
                func.sum(events.c.scheduled).label("scheduled"),
            )
            .join(events, events.c.customer_id == members.c.id)
            .where(events.c.day >= members.c.started)
            .group_by(members.c.key, members.c.id, period)
            .cte("activity")
        )

    @staticmethod
    def _periods(count: int) -> CTE:
        rows = [select(literal(k, Integer).label("k")) for k in range(count)]
        return union_all(*rows).cte("periods")

    async def cohorts(
        self, session: AsyncSession, spec: CohortSpec, scope: ColumnElement[bool]
    ) -> tuple[list[CohortRow], list[CellRow]]:
        sql = DateSql(session.get_bind().dialect.name == "postgresql")
        members = self._members(sql, spec, scope)
        sizes = select(
            members.c.key,
            func.min(members.c.label).label("label"),
            func.count().label("size"),
        ).group_by(members.c.key)
        async with sort_memory(session, COHORT_SORT_MEMORY):
            cohorts = [
                CohortRow(str(key), str(label), int(size))
                for key, label, size in await session.execute(sizes.order_by(members.c.key))
            ]
            cells = (await session.execute(self._cells(sql, spec, members))).all()
        return cohorts, [
            CellRow(
                str(key), int(k), int(base), int(count or 0), float(amount or 0), int(sched or 0)
            )
            for key, k, base, count, amount, sched in cells
        ]

    def _cells(self, sql: DateSql, spec: CohortSpec, members: CTE) -> Select[Any]:
        periods = self._periods(spec.periods)
        activity = self._activity(sql, spec, members)
        if spec.metric == "churn":
            # Churned by period k: reached k, and last active before k (or never).
            last = (
                select(activity.c.customer_id, func.max(activity.c.period).label("last"))
                .group_by(activity.c.customer_id)
                .cte("last_active")
            )
            last_period = func.coalesce(last.c.last, -1)
            return (
                select(
                    members.c.key,
                    periods.c.k,
                    func.count().label("base"),
                    func.sum(case((last_period < periods.c.k, 1), else_=0)).label("count"),
                    literal(0).label("amount"),
                    literal(0).label("scheduled"),
                )
                .select_from(members)
                .join(periods, members.c.reached >= periods.c.k)
                .outerjoin(last, last.c.customer_id == members.c.id)
                .group_by(members.c.key, periods.c.k)
            )
        # Members counted by (cohort, periods reached) first: a few hundred rows to spread over
        # the periods, not every member once per period.
        reached = (
            select(members.c.key, members.c.reached, func.count().label("members"))
            .group_by(members.c.key, members.c.reached)
            .cte("reached")
        )
        base = (
            select(reached.c.key, periods.c.k, func.sum(reached.c.members).label("base"))
            .join(periods, reached.c.reached >= periods.c.k)
            .group_by(reached.c.key, periods.c.k)
            .cte("base")
        )
        counted = activity.c.amount != 0 if spec.metric != "adherence" else activity.c.scheduled > 0
        per_period = (
            select(
                activity.c.key,
                activity.c.period,
                func.sum(case((counted, 1), else_=0)).label("count"),
                func.sum(activity.c.amount).label("amount"),
                func.sum(activity.c.scheduled).label("scheduled"),
            )
            .where(activity.c.period < spec.periods)
            .group_by(activity.c.key, activity.c.period)
            .cte("per_period")
        )
        return select(
            base.c.key,
            base.c.k,
            base.c.base,
            per_period.c.count,
            per_period.c.amount,
            per_period.c.scheduled,
        ).outerjoin(
            per_period, and_(per_period.c.key == base.c.key, per_period.c.period == base.c.k)
        )

    async def drilldown(
        self,
        session: AsyncSession,
        spec: CohortSpec,
        cell: tuple[str, int],
        scope: ColumnElement[bool],
        page: PageRequest,
    ) -> tuple[list[DrillRow], int]:
        """The customers a cell counts: active, scheduled or paying in the period, or (churn)
        reached it having last been active before it."""
        key, period = cell
        sql = DateSql(session.get_bind().dialect.name == "postgresql")
        members = self._members(sql, spec, scope)
        activity = self._activity(sql, spec, members)
        in_cell = and_(members.c.key == key, members.c.reached >= period)
        if spec.metric == "churn":
            later = select(activity.c.customer_id).where(activity.c.period >= period)
            chosen = select(members.c.id).where(in_cell, members.c.id.not_in(later))
        else:
            counted = (
                activity.c.amount != 0 if spec.metric != "adherence" else activity.c.scheduled > 0
            )
            chosen = (
                select(members.c.id)
                .join(activity, activity.c.customer_id == members.c.id)
                .where(in_cell, activity.c.period == period, counted)
            )
        statement = select(User).where(User.id.in_(chosen)).order_by(User.name, User.id)
        async with sort_memory(session, COHORT_SORT_MEMORY):
            users, total = await fetch_page(session, statement, page)
        return [DrillRow(user.id, user.name, user.created_at) for user in users], total


cohort_queries = CohortQueries()
