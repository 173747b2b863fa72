"""When a customer waiting for a place is likely to get one, learnt from how customers cancelled
in similar sessions (the same coach and type) over the last 90 days.

A customer with `needed` waiting customers ahead of them (themselves included) is confirmed
when the `needed`-th place frees. For each similar session we look at the cancellations that
came no earlier before its start than the time now left before this session's start (the ones
that could still happen here); in the sessions that had at least `needed` of them, the
`needed`-th came at some lead time before the start. The middle half of those lead times,
applied to this session's start, is the window; the share of similar sessions that freed
enough places is its likelihood."""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from fitcoach.models import ScheduledSession

HISTORY = timedelta(days=90)


@dataclass(frozen=True)
class ConfirmationWindow:
    earliest: datetime
    latest: datetime
    likelihood: float
    similar_sessions: int


@dataclass(frozen=True)
class Estimate:
    """A window, or None with the reason there is none."""

    window: ConfirmationWindow | None
    reason: str | None


def estimate(
    sess: ScheduledSession,
    needed: int,
    history: tuple[int, list[tuple[uuid.UUID, datetime, datetime]]],
    now: datetime,
) -> Estimate:
    similar, cancellations = history
    if similar == 0:
        return Estimate(
            None,
            "No similar session (same coach and type) in the last 90 days to learn from",
        )
    left = sess.start_at - now
    leads: dict[uuid.UUID, list[timedelta]] = defaultdict(list)
    for session_id, start, canceled_at in cancellations:
        lead = start - canceled_at
        if timedelta(0) < lead <= left:
            leads[session_id].append(lead)
    # The needed-th cancellation of each session that had enough, earliest first.
    samples = sorted(
        sorted(found, reverse=True)[needed - 1] for found in leads.values() if len(found) >= needed
    )
    if not samples:
        return Estimate(
            None,
            f"None of the {similar} similar sessions of the last 90 days freed {needed} "
            "place(s) this close to the start",
        )
    if len(samples) >= 4:
        quartiles = statistics.quantiles([one.total_seconds() for one in samples], n=4)
        low, high = timedelta(seconds=quartiles[0]), timedelta(seconds=quartiles[2])
    else:
        low, high = samples[0], samples[-1]
    return Estimate(
        ConfirmationWindow(
            earliest=_minute(sess.start_at - high),
            latest=_minute(sess.start_at - low),
            likelihood=round(len(samples) / similar, 2),
            similar_sessions=similar,
        ),
        None,
    )


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)
