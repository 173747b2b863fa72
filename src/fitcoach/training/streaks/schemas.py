"""Achievements on the wire."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.training.streaks.rules import Measure


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
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"dayShare": 80, "freezeEveryDays": 7, "maxFreezes": 2}]}
    )

    day_share: int = Field(
        strict=True, ge=1, le=100, description="Percent of a day's items that must be done"
    )
    freeze_every_days: int = Field(strict=True, ge=1, le=365, description="Counted days per freeze")
    max_freezes: int = Field(strict=True, ge=0, le=30, description="Freezes kept in stock at most")


class BadgeDefinitionIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "hundred_workouts_club",
                    "name": "Century club",
                    "measure": "workouts",
                    "target": 100,
                }
            ]
        }
    )

    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,47}$")]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    measure: Measure
    target: int = Field(strict=True, ge=1, le=100_000)


class BadgeDefinitionOut(ApiModel):
    id: uuid.UUID
    code: str
    name: str
    measure: Measure
    target: int
