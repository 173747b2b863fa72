"""Availability and slots on the wire."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Annotated, Self

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import label
from fitcoach.scheduling.availability.service import Availability, TimeOff
from fitcoach.scheduling.availability.slots import WEEKDAYS

Clock = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
MAX_WINDOWS = 6
MAX_TIME_OFF = 100


class WindowIn(StrictApiModel):
    start: Clock = Field(description="HH:MM, wall clock in the availability's timezone")
    end: Clock

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError("a window's end must be after its start")
        return self


Windows = Annotated[list[WindowIn], Field(max_length=MAX_WINDOWS)]


class WeeklyHoursIn(StrictApiModel):
    monday: Windows = Field(default_factory=list)
    tuesday: Windows = Field(default_factory=list)
    wednesday: Windows = Field(default_factory=list)
    thursday: Windows = Field(default_factory=list)
    friday: Windows = Field(default_factory=list)
    saturday: Windows = Field(default_factory=list)
    sunday: Windows = Field(default_factory=list)

    @model_validator(mode="after")
    def _no_overlap(self) -> Self:
        for day in WEEKDAYS:
            windows = sorted(getattr(self, day), key=lambda one: one.start)
            for before, after in pairwise(windows):
                if after.start < before.end:
                    raise ValueError(f"{day}'s windows overlap")
        return self


class TimeOffIn(StrictApiModel):
    start: datetime = Field(description="With an offset")
    end: datetime
    reason: Annotated[str, label(200)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("time off needs times with an offset")
        if not (self.start.year >= 2000 and self.end.year <= 2200):
            raise ValueError("time off lies between the years 2000 and 2200")
        if self.end <= self.start:
            raise ValueError("time off's end must be after its start")
        return self


class AvailabilityIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "timezone": "Africa/Cairo",
                    "weeklyHours": {
                        "monday": [{"start": "09:00", "end": "12:00"}],
                        "thursday": [{"start": "16:00", "end": "20:00"}],
                    },
                    "timeOff": [
                        {
                            "start": "2027-01-04T00:00:00+02:00",
                            "end": "2027-01-11T00:00:00+02:00",
                            "reason": "Holiday",
                        }
                    ],
                }
            ]
        }
    )

    timezone: Annotated[str, label(64)] = Field(description="IANA zone of the weekly hours")
    weekly_hours: WeeklyHoursIn
    time_off: list[TimeOffIn] = Field(default_factory=list, max_length=MAX_TIME_OFF)

    def to_availability(self) -> Availability:
        return Availability(
            timezone=self.timezone,
            weekly_hours={
                day: [[one.start, one.end] for one in getattr(self.weekly_hours, day)]
                for day in WEEKDAYS
                if getattr(self.weekly_hours, day)
            },
            time_off=[TimeOff(one.start, one.end, one.reason) for one in self.time_off],
        )


class WindowOut(ApiModel):
    start: str
    end: str


class TimeOffOut(ApiModel):
    start: datetime
    end: datetime
    reason: str | None


class AvailabilityOut(ApiModel):
    timezone: str
    weekly_hours: dict[str, list[WindowOut]]
    time_off: list[TimeOffOut]

    @classmethod
    def of(cls, availability: Availability) -> AvailabilityOut:
        return cls(
            timezone=availability.timezone,
            weekly_hours={
                day: [WindowOut(start=start, end=end) for start, end in windows]
                for day, windows in availability.weekly_hours.items()
            },
            time_off=[
                TimeOffOut(start=one.start, end=one.end, reason=one.reason)
                for one in availability.time_off
            ],
        )


class SlotOut(ApiModel):
    start_time: datetime
    end_time: datetime
    local_start_time: str = Field(description="In the requested time zone")


class SlotsOut(ApiModel):
    timezone: str
    items: list[SlotOut]
