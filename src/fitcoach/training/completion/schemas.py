"""Logging a plan item on the wire."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.training.completion.metrics import LogStatus
from fitcoach.training.completion.service import CompletionEntry


class CompletionIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "completed",
                    "date": "2026-12-07",
                    "feedback": "Felt strong today",
                    "metrics": {"sets": 3, "reps": 10, "weightKg": 60, "rpe": 8},
                }
            ]
        }
    )

    status: LogStatus = Field(description="pending undoes the day's completion or skip")
    date: dt.date | None = Field(default=None, description="Your local day; default today")
    substitution_id: uuid.UUID | None = Field(
        default=None, description="The substitution done instead, if any; checked against the item"
    )
    feedback: Annotated[str, Field(max_length=2000)] | None = None
    metrics: dict[str, Any] = Field(default_factory=dict)

    def to_entry(self) -> CompletionEntry:
        return CompletionEntry(
            status=self.status,
            date=self.date,
            substitution_id=self.substitution_id,
            feedback=self.feedback,
            metrics=self.metrics,
        )


class CompletionOut(ApiModel):
    plan_id: uuid.UUID | None = Field(description="null: a habit of your own")
    item_id: uuid.UUID
    item_type: str = Field(description="strength, cardio, meal or habit")
    date: dt.date
    timezone: str
    status: LogStatus
    logged_at: dt.datetime | None
    metrics: dict[str, Any]
    feedback: str | None
    streak: int = Field(description="Your current streak after this change")
