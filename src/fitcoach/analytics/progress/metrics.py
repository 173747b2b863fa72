"""What each metric is made of: where its readings come from, how a day's readings combine and
how days combine into a bucket, in the customer's unit system."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.analytics.progress.repository import Span, progress_readings
from fitcoach.training.completion.metrics import volume_kg

KG_PER_LB = 0.45359237
CM_PER_IN = 2.54
TO_KG = {"kg": 1.0, "lb": KG_PER_LB}
TO_CM = {"cm": 1.0, "in": CM_PER_IN}


class Metric(StrEnum):
    weight = "weight"
    body_fat = "bodyFat"
    neck = "neck"
    chest = "chest"
    waist = "waist"
    hips = "hips"
    arm = "arm"
    thigh = "thigh"
    calf = "calf"
    workouts_completed = "workoutsCompleted"
    adherence = "adherence"
    training_volume = "trainingVolume"
    calories = "calories"
    steps = "steps"
    resting_heart_rate = "restingHeartRate"
    sleep = "sleep"


GIRTHS = {Metric.neck, Metric.chest, Metric.waist, Metric.hips, Metric.arm, Metric.thigh}
GIRTHS |= {Metric.calf}
# Counted, not measured: a week's value is the week's total rather than its mean.
TOTALS = {Metric.workouts_completed, Metric.training_volume}


@dataclass
class Tally:
    """A bucket's (or day's) value: `amount / weight` for a mean or a share, `amount` for a
    total."""

    amount: float = 0.0
    weight: float = 0.0

    def add(self, amount: float, weight: float = 1.0) -> None:
        self.amount += amount
        self.weight += weight


Days = dict[date, Tally]


@dataclass(frozen=True)
class Units:
    imperial: bool

    def of(self, metric: Metric) -> str:
        if metric in (Metric.weight, Metric.training_volume):
            return "lb" if self.imperial else "kg"
        if metric in GIRTHS:
            return "in" if self.imperial else "cm"
        return {
            Metric.body_fat: "%",
            Metric.workouts_completed: "count",
            Metric.adherence: "%",
            Metric.calories: "kcal",
            Metric.steps: "count",
            Metric.resting_heart_rate: "bpm",
            Metric.sleep: "h",
        }[metric]

    def from_kg(self, kg: float) -> float:
        return kg / KG_PER_LB if self.imperial else kg

    def from_cm(self, cm: float) -> float:
        return cm / CM_PER_IN if self.imperial else cm


def _by_day(readings: list[tuple[datetime, float]], zone: ZoneInfo, daily_total: bool) -> Days:
    """Readings as local days: each day the mean of its readings, or (a daily total) their sum
    counted as one day."""
    days: Days = defaultdict(Tally)
    for at, value in readings:
        days[at.astimezone(zone).date()].add(value, 0.0 if daily_total else 1.0)
    if daily_total:
        for tally in days.values():
            tally.weight = 1.0
    return days


async def daily_values(
    session: AsyncSession, span: Span, metric: Metric, context: tuple[ZoneInfo, Units]
) -> Days:
    zone, units = context
    if metric is Metric.weight:
        entries = await progress_readings.entries(session, span, "body_weight")
        readings = [
            (at, units.from_kg(value * TO_KG.get(unit, 1.0))) for at, value, unit in entries
        ]
        wearable = await progress_readings.wearable(session, span, "weight")
        readings += [(at, units.from_kg(value)) for at, value in wearable]
        return _by_day(readings, zone, daily_total=False)
    if metric is Metric.body_fat:
        entries = await progress_readings.entries(session, span, "body_fat")
        return _by_day([(at, value) for at, value, _ in entries], zone, daily_total=False)
    if metric in GIRTHS:
        entries = await progress_readings.entries(session, span, "girth", metric.value)
        readings = [
            (at, units.from_cm(value * TO_CM.get(unit, 1.0))) for at, value, unit in entries
        ]
        return _by_day(readings, zone, daily_total=False)
    if metric in (Metric.workouts_completed, Metric.adherence):
        return _training_days(await progress_readings.training_days(session, span), metric)
    if metric in (Metric.training_volume, Metric.calories):
        subject = "strength" if metric is Metric.training_volume else "meal"
        logs = await progress_readings.completed_logs(session, span, subject)
        return _logged(logs, metric, units)
    kind, scale, total = {
        Metric.steps: ("steps", 1.0, True),
        Metric.resting_heart_rate: ("resting_heart_rate", 1.0, False),
        Metric.sleep: ("sleep", 1 / 3600, True),
    }[metric]
    wearable = await progress_readings.wearable(session, span, kind)
    return _by_day([(at, value * scale) for at, value in wearable], zone, daily_total=total)


def _training_days(rows: list[tuple[date, int, int, int]], metric: Metric) -> Days:
    days: Days = {}
    for day, workouts_done, items, items_done in rows:
        if metric is Metric.workouts_completed:
            days[day] = Tally(float(workouts_done), 1.0)
        elif items:  # a day with nothing scheduled has no adherence: a gap, not 0 %
            days[day] = Tally(100.0 * items_done, float(items))
    return days


def _logged(logs: list[tuple[date, dict[str, object]]], metric: Metric, units: Units) -> Days:
    """A day's total of its completed items: volume lifted, or calories eaten (a meal logged
    without calories adds nothing, so a day of such meals stays a gap)."""
    days: Days = {}
    for day, metrics in logs:
        if metric is Metric.training_volume:
            amount = units.from_kg(volume_kg(metrics))
        else:
            calories = metrics.get("calories")
            if not isinstance(calories, dict):
                continue
            amount = float(calories.get("value", 0.0))
        days.setdefault(day, Tally(0.0, 1.0)).amount += amount
    return days
