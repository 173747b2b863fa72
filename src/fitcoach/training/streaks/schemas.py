"""Achievements on the wire."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from fitcoach.http.envelope import ApiModel


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
