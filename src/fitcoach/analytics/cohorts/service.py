"""The cohort table of the customers the caller may see (a coach: their clients; an admin:
everyone), each cell with a drilldown token bound to the caller, and a cell's customers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.analytics.cohorts import tokens
from fitcoach.analytics.cohorts.repository import (
    CellRow,
    CohortSpec,
    DrillRow,
    cohort_queries,
)
from fitcoach.analytics.exceptions import DrilldownTokenInvalid
from fitcoach.customers.service import customers_service
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor
from fitcoach.models.enums import Role

DEFAULT_SINCE_DAYS = 365


@dataclass(frozen=True)
class CohortQuery:
    dimension: str
    metric: str
    interval: str
    periods: int
    since: date | None
    currency: str


@dataclass(frozen=True)
class Signing:
    """The moment tokens are issued or checked at, and the secret their key derives from."""

    now: datetime
    secret: str


@dataclass(frozen=True)
class Cell:
    period: int
    value: float | None  # None: no member has reached the period yet
    base: int
    count: int
    token: str | None


@dataclass(frozen=True)
class Cohort:
    key: str
    label: str
    size: int
    cells: list[Cell]


@dataclass(frozen=True)
class CohortTable:
    spec: CohortSpec
    cohorts: list[Cohort]
    expires_at: datetime


def _scope(actor: Actor) -> str:
    return "admin" if actor.has_role(Role.ADMIN) else "coach"


def _value(metric: str, cell: CellRow) -> float | None:
    if metric == "adherence":
        return round(cell.amount / cell.scheduled, 4) if cell.scheduled else None
    if metric == "revenuePerCustomer":
        return round(cell.amount / cell.base, 2)
    return round(cell.count / cell.base, 4)


class CohortsService:
    async def table(
        self,
        session: AsyncSession,
        actor: Actor,
        query: CohortQuery,
        signing: Signing,
    ) -> CohortTable:
        now, secret = signing.now, signing.secret
        today = now.date()
        spec = CohortSpec(
            dimension=query.dimension,
            metric=query.metric,
            interval=query.interval,
            since=query.since or today - timedelta(days=DEFAULT_SINCE_DAYS),
            today=today,
            periods=query.periods,
            currency=query.currency,
        )
        scope = customers_service.readable_customers(actor)
        cohorts, cells = await cohort_queries.cohorts(session, spec, scope)
        expires = int(now.timestamp()) + tokens.TOKEN_SECONDS
        by_key: dict[str, list[Cell]] = {cohort.key: [] for cohort in cohorts}
        for row in cells:
            drill = tokens.Drill(spec, row.key, row.period, actor.id, _scope(actor), expires)
            by_key[row.key].append(
                Cell(
                    row.period,
                    _value(spec.metric, row),
                    row.base,
                    row.count,
                    tokens.issue(secret, drill),
                )
            )
        return CohortTable(
            spec,
            [
                Cohort(
                    cohort.key, cohort.label, cohort.size, _all_periods(by_key[cohort.key], spec)
                )
                for cohort in cohorts
            ],
            datetime.fromtimestamp(expires, now.tzinfo),
        )

    async def drilldown(
        self,
        session: AsyncSession,
        actor: Actor,
        token: str,
        signing: Signing,
        page: PageRequest,
    ) -> tuple[tokens.Drill, list[DrillRow], int]:
        drill = tokens.read(signing.secret, token, signing.now)
        # Bound to its caller and the role they held: a token passed on, or kept after
        # losing the admin role, opens nothing. The scope is applied again as it is now.
        if drill.actor_id != actor.id or drill.scope != _scope(actor):
            raise DrilldownTokenInvalid()
        scope = customers_service.readable_customers(actor)
        rows, total = await cohort_queries.drilldown(
            session, drill.spec, (drill.key, drill.period), scope, page
        )
        return drill, rows, total


def _all_periods(cells: list[Cell], spec: CohortSpec) -> list[Cell]:
    """Every period of the table, those no member has reached as empty cells."""
    found = {cell.period: cell for cell in cells}
    return [found.get(period) or Cell(period, None, 0, 0, None) for period in range(spec.periods)]


cohorts_service = CohortsService()
