"""Achievements on the wire."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from fitcoach.http.envelope import ApiModel, StrictApiModel


class BadgeOut(ApiModel):
    badge: str
    name: str
    awarded_at: datetime


class NextBadgeOut(ApiModel):
    badge: str
    name: str
    progress: int
    target: int


class AchievementsOut(ApiModel):
    current_streak: int
    longest_streak: int
    freezes: int = Field(description="Streak freezes in stock, spent on a missed day")
    freezes_used: int
    workouts: int
    badges: list[BadgeOut]
    next_badge: NextBadgeOut | None


class StreakPolicyIn(StrictApiModel):
    day_share: int = Field(
        strict=True, ge=1, le=100, description="Percent of a day's items that must be done"
    )
    freeze_every_days: int = Field(strict=True, ge=1, le=365, description="Counted days per freeze")
    max_freezes: int = Field(strict=True, ge=0, le=30, description="Freezes kept in stock at most")
