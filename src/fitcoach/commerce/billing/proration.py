"""Proration by the day, in the customer's calendar: a product's price buys its length in days,
so a day of it is worth price / days. The day of the change counts as unused: from that day on
the customer has the new product, so the old one is credited for it and the new one charged.
Amounts are integer minor units, each rounded half up once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class DailyPrice:
    """A product's price and the days it buys."""

    price_minor: int
    days: int


@dataclass(frozen=True)
class Proration:
    remaining_days: int
    credit_minor: int
    charge_minor: int

    @property
    def due_minor(self) -> int:
        return self.charge_minor - self.credit_minor


def half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def remaining_days(now: datetime, period_end: datetime, zone: ZoneInfo) -> int:
    """The customer's calendar days from today (included) to the day the period ends on
    (excluded, as the renewal charges for it)."""
    return max(0, (local_date(period_end, zone) - local_date(now, zone)).days)


def prorate(current: DailyPrice, target: DailyPrice, days_left: int) -> Proration:
    """The unused `days_left` of the current product credited, the same days of the target
    charged, each capped at the product's own price."""
    credit = half_up(current.price_minor * min(days_left, current.days), current.days)
    charge = half_up(target.price_minor * min(days_left, target.days), target.days)
    return Proration(remaining_days=days_left, credit_minor=credit, charge_minor=charge)
