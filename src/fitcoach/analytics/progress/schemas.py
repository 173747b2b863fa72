"""A customer's progress on the wire."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from fitcoach.analytics.progress.maths import Prediction
from fitcoach.analytics.progress.metrics import Metric
from fitcoach.analytics.progress.service import ProgressView, SeriesView
from fitcoach.http.envelope import ApiModel


class PointOut(ApiModel):
    start: date = Field(description="The bucket's first local day (a Monday for weeks)")
    value: float | None = Field(description="Null: no readings in the bucket (a gap, not 0)")
    readings: int = Field(description="Days of the bucket with readings")


class TrendOut(ApiModel):
    slope_per_week: float = Field(description="Theil-Sen slope, the metric's unit per week")
    slope_per_week_low: float = Field(description="The slope's 95 % confidence interval")
    slope_per_week_high: float
    intercept: float = Field(description="The fitted line's value on the range's first day")
    r_squared: float = Field(description="How much of the variance the line explains")


class ForecastPointOut(ApiModel):
    date: date
    value: float
    low80: float
    high80: float
    low95: float
    high95: float


class GoalOut(ApiModel):
    target: float = Field(description="The target weight, in the series' unit")
    projected_date: date | None = Field(
        description="When the fitted line reaches the target; null when it moves away from it"
    )
    earliest: date | None = Field(description="The projection's 95 % band")
    latest: date | None = Field(description="Null: the band is open-ended")


class SeriesOut(ApiModel):
    metric: Metric
    unit: str
    points: list[PointOut]
    trend: TrendOut | None
    forecast: list[ForecastPointOut] = Field(description="Weekly, for the next four weeks")
    goal: GoalOut | None = Field(description="Weight only, when the customer has a target")
    reason: str | None = Field(description="Why there is no trend or forecast")


class ProgressOut(ApiModel):
    customer_id: uuid.UUID
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    interval: str = Field(description="day, or week for ranges of 62 days and more")
    time_zone: str = Field(description="The customer's zone, whose local days the buckets are")
    series: list[SeriesOut]

    @classmethod
    def of(cls, view: ProgressView) -> ProgressOut:
        return cls(
            customer_id=view.customer_id,
            start=view.start,
            end=view.end,
            interval=view.interval,
            time_zone=view.time_zone,
            series=[_series(view, one) for one in view.series],
        )


def _round(value: float) -> float:
    return round(value, 4)


def _forecast(view: ProgressView, point: Prediction) -> ForecastPointOut:
    (low80, high80), (low95, high95) = point.bands[0.80], point.bands[0.95]
    return ForecastPointOut(
        date=view.day_at(point.x),
        value=_round(point.value),
        low80=_round(low80),
        high80=_round(high80),
        low95=_round(low95),
        high95=_round(high95),
    )


def _day(view: ProgressView, x: float | None) -> date | None:
    return None if x is None else view.day_at(x)


def _series(view: ProgressView, series: SeriesView) -> SeriesOut:
    analysis = series.analysis
    trend, goal = None, None
    if analysis is not None:
        trend = TrendOut(
            slope_per_week=_round(analysis.trend.slope_per_day * 7),
            slope_per_week_low=_round(analysis.trend.slope_low * 7),
            slope_per_week_high=_round(analysis.trend.slope_high * 7),
            intercept=_round(analysis.trend.intercept),
            r_squared=_round(analysis.trend.r_squared),
        )
        if analysis.goal is not None and series.target is not None:
            goal = GoalOut(
                target=_round(series.target),
                projected_date=_day(view, analysis.goal.reached_at),
                earliest=_day(view, analysis.goal.earliest),
                latest=_day(view, analysis.goal.latest),
            )
    return SeriesOut(
        metric=series.metric,
        unit=series.unit,
        points=[
            PointOut(
                start=bucket.start,
                value=None if bucket.value is None else _round(bucket.value),
                readings=bucket.readings,
            )
            for bucket in series.buckets
        ],
        trend=trend,
        forecast=[_forecast(view, point) for point in analysis.forecast] if analysis else [],
        goal=goal,
        reason=series.reason,
    )
