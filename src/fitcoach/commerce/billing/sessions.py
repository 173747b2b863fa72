"""The sessions a paid period is worth, month by month: a purchase or a renewal grants its
product's sessions per month for each month of the period (scheduling's grants), and an upgrade
tops those months up by the difference between the products' sessions per month.

An upgrade's top-up rule: every month of the periods paid that begins after the upgrade gets
the whole difference; the month the upgrade falls in gets the difference prorated by the days
left of that month, counted as the money is (the customer's calendar days, today included, the
month's end day excluded) and rounded half up, as each amount of money is rounded once. The
customer paid for the remaining days at the day-prorated price difference; they get the
sessions of those days, so an upgrade on a month's last day does not buy a whole month's
sessions for a day's price."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from fitcoach.commerce.billing.proration import half_up, local_date, remaining_days


@dataclass(frozen=True)
class PaidSpan:
    """The period one order paid for: [start, end)."""

    order_id: uuid.UUID
    start: datetime
    end: datetime


@dataclass(frozen=True)
class SessionTopUp:
    """Extra sessions usable on [valid_from, valid_until): month `month` of the period `order_id`
    paid for."""

    order_id: uuid.UUID
    month: int
    sessions: int
    valid_from: datetime
    valid_until: datetime


def paid_months(start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The months of the period [start, end), counted from its start; the last one ends with
    the period, however short."""
    month, month_start = 0, start
    while month_start < end:
        month_end = min(start + relativedelta(months=month + 1), end)
        yield month_start, month_end
        month += 1
        month_start = month_end


def upgrade_top_ups(
    spans: Sequence[PaidSpan], extra: int, upgraded_at: datetime, zone: ZoneInfo
) -> tuple[SessionTopUp, ...]:
    """What an upgrade adding `extra` sessions per month at `upgraded_at` grants, by the rule
    of the module's docstring; nothing when it adds none."""
    if extra <= 0:
        return ()
    top_ups = []
    for span in spans:
        for month, (start, end) in enumerate(paid_months(span.start, span.end), start=1):
            if end <= upgraded_at:
                continue
            sessions = extra
            if start < upgraded_at:
                month_days = max(1, (local_date(end, zone) - local_date(start, zone)).days)
                days_left = min(remaining_days(upgraded_at, end, zone), month_days)
                sessions = half_up(extra * days_left, month_days)
            if sessions > 0:
                top_ups.append(
                    SessionTopUp(span.order_id, month, sessions, max(start, upgraded_at), end)
                )
    return tuple(top_ups)
