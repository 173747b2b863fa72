"""A customer's progress over a range: per metric the series in local day or week buckets
(a bucket without readings is a gap, never a zero), the Theil-Sen trend, a forecast with 80 %
and 95 % bands and, for weight with a target, the projected date. The maths runs in a thread."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.analytics.exceptions import ProgressRangeInvalid
from fitcoach.analytics.progress.maths import MIN_POINTS, Analysis, analyse
from fitcoach.analytics.progress.metrics import TOTALS, Days, Metric, Tally, Units, daily_values
from fitcoach.analytics.progress.repository import Span
from fitcoach.customers.service import customers_service
from fitcoach.models import Actor
from fitcoach.training.schedules.service import schedules_service
from fitcoach.training.timezones import local_date

MAX_SPAN_DAYS = 731
DAILY_UP_TO_DAYS = 62
FORECAST_WEEKS = 4
# Preferences of the customer's profile that analytics reads: "units" ("metric" or
# "imperial") and "targetWeightKg" (a number).
UNITS_PREFERENCE = "units"
TARGET_PREFERENCE = "targetWeightKg"


class Range(StrEnum):
    week = "7d"
    month = "30d"
    quarter = "90d"
    year = "1y"


RANGE_DAYS = {Range.week: 7, Range.month: 30, Range.quarter: 90, Range.year: 365}


@dataclass(frozen=True)
class ProgressQuery:
    customer_id: uuid.UUID | None  # None: the caller's own
    metrics: tuple[Metric, ...]
    range: Range | None
    start: date | None
    end: date | None


@dataclass(frozen=True)
class Bucket:
    start: date
    value: float | None  # None: no readings in the bucket
    readings: int  # days with readings
    # Where the bucket sits on the time axis for the statistics: the mean of its days with
    # readings, in days since the range's first day (a week read on Friday is not Monday's).
    centre: float = 0.0


@dataclass(frozen=True)
class SeriesView:
    metric: Metric
    unit: str
    buckets: list[Bucket]
    analysis: Analysis | None
    target: float | None
    reason: str | None  # why there is no analysis


@dataclass(frozen=True)
class ProgressView:
    customer_id: uuid.UUID
    start: date
    end: date
    interval: str  # "day" or "week"
    time_zone: str
    series: list[SeriesView]

    def day_at(self, x: float) -> date:
        return self.start + timedelta(days=round(x))


def span_of(query: ProgressQuery, today: date) -> tuple[date, date]:
    if query.range is not None:
        if query.start is not None or query.end is not None:
            raise ProgressRangeInvalid()
        return today - timedelta(days=RANGE_DAYS[query.range] - 1), today
    end = query.end or today
    start = query.start or end - timedelta(days=RANGE_DAYS[Range.month] - 1)
    if start > end or (end - start).days >= MAX_SPAN_DAYS:
        raise ProgressRangeInvalid()
    return start, end


def _bucket_starts(start: date, end: date, weekly: bool) -> list[date]:
    first = start - timedelta(days=start.weekday()) if weekly else start
    step = timedelta(days=7 if weekly else 1)
    starts = []
    while first <= end:
        starts.append(first)
        first += step
    return starts


def _buckets(days: Days, starts: list[date], weekly: bool, total: bool) -> list[Bucket]:
    first_day = starts[0]
    merged = {start: Tally() for start in starts}
    offsets: dict[date, list[int]] = {start: [] for start in starts}
    for day, tally in days.items():
        key = day - timedelta(days=day.weekday()) if weekly else day
        if key in merged and tally.weight:
            merged[key].add(tally.amount, tally.weight)
            offsets[key].append((day - first_day).days)
    buckets = []
    for start in starts:
        tally, found = merged[start], offsets[start]
        value = None if not found else tally.amount if total else tally.amount / tally.weight
        centre = sum(found) / len(found) if found else 0.0
        buckets.append(Bucket(start, value, len(found), centre))
    return buckets


def _analysed(
    series: list[tuple[Metric, list[Bucket]]],
    first_day: date,
    horizon: list[float],
    target: float | None,
) -> list[Analysis | None]:
    """Runs in a worker thread: the statistics of every series with enough readings."""
    results: list[Analysis | None] = []
    for metric, buckets in series:
        shift = (buckets[0].start - first_day).days  # a week's Monday may precede the range
        points = [(b.centre + shift, b.value) for b in buckets if b.value is not None]
        if len(points) < MIN_POINTS:
            results.append(None)
            continue
        xs, ys = [float(x) for x, _ in points], [float(y) for _, y in points]
        results.append(analyse(xs, ys, horizon, target if metric is Metric.weight else None))
    return results


class ProgressAnalyticsService:
    async def progress(
        self, session: AsyncSession, actor: Actor, query: ProgressQuery, now: datetime
    ) -> ProgressView:
        customer_id = query.customer_id or actor.id
        view = await customers_service.profile(session, actor, customer_id, now)  # 404: not theirs
        preferences: dict[str, Any] = dict(view.profile.preferences) if view.profile else {}
        units = Units(imperial=preferences.get(UNITS_PREFERENCE) == "imperial")
        target = _target(preferences.get(TARGET_PREFERENCE), units)
        zone_name = await schedules_service.timezone_of(session, customer_id)
        zone = ZoneInfo(zone_name)
        start, end = span_of(query, local_date(now, zone_name))
        weekly = (end - start).days >= DAILY_UP_TO_DAYS
        span = Span(
            customer_id,
            datetime.combine(start, time(), zone).astimezone(UTC),
            datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC),
            start,
            end,
        )
        starts = _bucket_starts(start, end, weekly)
        series = []
        for metric in dict.fromkeys(query.metrics):
            days = await daily_values(session, span, metric, (zone, units))
            series.append((metric, _buckets(days, starts, weekly, metric in TOTALS)))
        last = float((end - start).days)
        horizon = [last + 7 * week for week in range(1, FORECAST_WEEKS + 1)]
        analyses = await anyio.to_thread.run_sync(_analysed, series, start, horizon, target)
        unit = "week" if weekly else "day"
        return ProgressView(
            customer_id,
            start,
            end,
            unit,
            zone_name,
            [
                SeriesView(
                    metric,
                    units.of(metric),
                    buckets,
                    analysis,
                    target if metric is Metric.weight else None,
                    None if analysis else _too_little(buckets, unit),
                )
                for (metric, buckets), analysis in zip(series, analyses, strict=True)
            ],
        )


def _target(value: object, units: Units) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return units.from_kg(float(value))


def _too_little(buckets: list[Bucket], unit: str) -> str:
    found = sum(bucket.value is not None for bucket in buckets)
    return (
        f"Too little data: a trend and forecast need readings in at least {MIN_POINTS} "
        f"{unit}s of the range; this range has {found}"
    )


progress_analytics = ProgressAnalyticsService()
