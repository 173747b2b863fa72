"""The statistics of one series, pure and synchronous (the service runs them in a thread): a
Theil-Sen trend, an ordinary least squares forecast with prediction intervals, and the date a
target is reached. x is in days since the range's first day; y in the metric's unit."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_POINTS = 5
LEVELS = (0.80, 0.95)
GOAL_HORIZON_DAYS = 3 * 365


@dataclass(frozen=True)
class Trend:
    slope_per_day: float
    slope_low: float  # the slope's 95 % confidence interval (Theil-Sen's own)
    slope_high: float
    intercept: float
    r_squared: float  # of the Theil-Sen line against the data


@dataclass(frozen=True)
class Prediction:
    x: float
    value: float
    # level -> (low, high)
    bands: dict[float, tuple[float, float]]


@dataclass(frozen=True)
class GoalProjection:
    reached_at: float | None  # x where the fitted line meets the target; None: moving away
    earliest: float | None  # the 95 % band of that x; None: not within the horizon
    latest: float | None


@dataclass(frozen=True)
class Analysis:
    trend: Trend
    forecast: list[Prediction]
    goal: GoalProjection | None


def analyse(
    xs: list[float], ys: list[float], horizon: list[float], target: float | None
) -> Analysis:
    """The trend of (xs, ys), its forecast at the horizon's xs and, given a target, when it is
    reached. Needs at least MIN_POINTS points on two or more distinct xs."""
    # scipy is imported where it is used: it takes seconds to import, which every process (the
    # server, each worker, each console command) would pay at start-up for this one screen.
    from scipy import stats

    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    slope, intercept, low, high = stats.theilslopes(y, x, alpha=0.95)
    fitted = intercept + slope * x
    total = float(np.sum((y - y.mean()) ** 2))
    r_squared = 1.0 - float(np.sum((y - fitted) ** 2)) / total if total > 0 else 1.0
    trend = Trend(float(slope), float(low), float(high), float(intercept), r_squared)
    ols = _Ols.fit(x, y)
    forecast = [ols.predict(at) for at in horizon]
    goal = ols.goal(target, float(x.max())) if target is not None else None
    return Analysis(trend, forecast, goal)


@dataclass(frozen=True)
class _Ols:
    intercept: float
    slope: float
    residual_sd: float
    count: int
    x_mean: float
    x_spread: float  # sum of squared deviations of x

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray) -> _Ols:
        from scipy import stats

        result = stats.linregress(x, y)
        residuals = y - (result.intercept + result.slope * x)
        dof = len(x) - 2
        sd = math.sqrt(float(np.sum(residuals**2)) / dof) if dof > 0 else 0.0
        spread = float(np.sum((x - x.mean()) ** 2))
        return cls(
            float(result.intercept), float(result.slope), sd, len(x), float(x.mean()), spread
        )

    def predict(self, at: float) -> Prediction:
        value = self.intercept + self.slope * at
        # The prediction interval of a new observation at `at`.
        error = self.residual_sd * math.sqrt(
            1 + 1 / self.count + (at - self.x_mean) ** 2 / self.x_spread
        )
        from scipy import stats

        bands = {}
        for level in LEVELS:
            half = float(stats.t.ppf((1 + level) / 2, self.count - 2)) * error
            bands[level] = (value - half, value + half)
        return Prediction(at, value, bands)

    def goal(self, target: float, last: float) -> GoalProjection:
        """When the fitted line reaches the target and, as its band, the first days on which
        the 95 % confidence band of the line (not of one reading) reaches it: the near edge
        first, the far edge last. Looked for up to GOAL_HORIZON_DAYS ahead."""
        from scipy import stats

        now = self.intercept + self.slope * last
        reached = _meeting(now, target, last, self.slope)
        days = last + np.arange(0, GOAL_HORIZON_DAYS + 1, dtype=float)
        line = self.intercept + self.slope * days
        half = (
            float(stats.t.ppf(0.975, self.count - 2))
            * self.residual_sd
            * np.sqrt(1 / self.count + (days - self.x_mean) ** 2 / self.x_spread)
        )
        falling = target < now
        near = line - half if falling else line + half
        far = line + half if falling else line - half
        return GoalProjection(
            reached, _first(days, near, target, falling), _first(days, far, target, falling)
        )


def _first(days: np.ndarray, values: np.ndarray, target: float, falling: bool) -> float | None:
    hits = np.nonzero(values <= target if falling else values >= target)[0]
    return float(days[hits[0]]) if hits.size else None


def _meeting(level: float, target: float, last: float, slope: float) -> float | None:
    """Where a line through (last, level) with this slope meets the target, if ahead."""
    if level == target:
        return last
    if slope == 0 or (target - level) / slope < 0:
        return None
    return last + (target - level) / slope
