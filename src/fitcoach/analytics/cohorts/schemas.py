"""The cohort table and a cell's customers on the wire."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from fitcoach.analytics.cohorts.service import Cohort, CohortTable
from fitcoach.http.envelope import ApiModel


class Dimension(StrEnum):
    signup_month = "signupMonth"
    program = "program"
    coach = "coach"
    channel = "channel"


class CohortMetric(StrEnum):
    retention = "retention"
    adherence = "adherence"
    revenue_per_customer = "revenuePerCustomer"
    churn = "churn"


class Interval(StrEnum):
    week = "week"
    month = "month"


class CellOut(ApiModel):
    period: int = Field(description="Periods since the members' start (0: the first)")
    value: float | None = Field(
        description="retention and churn: share of the members who reached the period; "
        "adherence: share of scheduled items done; revenuePerCustomer: net minor units per "
        "member who reached the period. Null: no member has reached it yet"
    )
    customers: int = Field(description="Members who have reached the period")
    count: int = Field(description="Members the value counts (active, churned, paying)")
    drilldown_token: str | None = Field(
        description="For GET /analytics/cohorts/drilldown; expires at tokensExpireAt"
    )


class CohortOut(ApiModel):
    key: str
    label: str
    size: int
    cells: list[CellOut]

    @classmethod
    def of(cls, cohort: Cohort) -> CohortOut:
        return cls(
            key=cohort.key,
            label=cohort.label,
            size=cohort.size,
            cells=[
                CellOut(
                    period=cell.period,
                    value=cell.value,
                    customers=cell.base,
                    count=cell.count,
                    drilldown_token=cell.token,
                )
                for cell in cohort.cells
            ],
        )


class CohortTableOut(ApiModel):
    dimension: Dimension
    metric: CohortMetric
    interval: Interval
    start: date = Field(alias="from", description="Signups from this day (UTC) are counted")
    currency: str = Field(description="Of revenuePerCustomer's amounts")
    tokens_expire_at: datetime
    cohorts: list[CohortOut]

    @classmethod
    def of(cls, table: CohortTable) -> CohortTableOut:
        return cls(
            dimension=Dimension(table.spec.dimension),
            metric=CohortMetric(table.spec.metric),
            interval=Interval(table.spec.interval),
            start=table.spec.since,
            currency=table.spec.currency,
            tokens_expire_at=table.expires_at,
            cohorts=[CohortOut.of(cohort) for cohort in table.cohorts],
        )


class CohortCustomerOut(ApiModel):
    id: uuid.UUID
    name: str
    signed_up_at: datetime
