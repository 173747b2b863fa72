"""The events the hourly scan records when a customer crosses a time threshold that an active
automation names. Each carries the threshold it crossed (`days` or `hours`): a rule triggered by
one of them names its threshold in the trigger and only meets events of that threshold."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar

from pydantic import Field

from fitcoach.worker.events import DomainEvent


class TimeThresholdEvent(DomainEvent):
    """An event of elapsed time. `threshold` names the payload field holding the threshold the
    customer crossed, which a rule's trigger sets (e.g. {"event": ..., "days": 7})."""

    threshold: ClassVar[str]
    threshold_range: ClassVar[tuple[int, int]]

    customer_id: uuid.UUID


class WorkoutsLapsed(TimeThresholdEvent):
    """A customer's last completed workout is `days` local days behind them."""

    type: ClassVar[str] = "automations.workouts_lapsed"
    threshold: ClassVar[str] = "days"
    threshold_range: ClassVar[tuple[int, int]] = (1, 365)

    days: int = Field(description="Local days since the last completed workout")
    last_workout_on: date = Field(description="The local day of the last completed workout")


class SubscriptionEnding(TimeThresholdEvent):
    """A customer's subscription ends `days` local days from today, with none after it."""

    type: ClassVar[str] = "automations.subscription_ending"
    threshold: ClassVar[str] = "days"
    threshold_range: ClassVar[tuple[int, int]] = (0, 90)

    days: int = Field(description="Local days until the subscription ends (0: today)")
    subscription_id: uuid.UUID
    subscription_type: str = Field(description="free or paid")
    ends_at: datetime


class MessageUnanswered(TimeThresholdEvent):
    """A customer's message has waited `hours` hours for an answer: it is still the last of its
    thread."""

    type: ClassVar[str] = "automations.message_unanswered"
    threshold: ClassVar[str] = "hours"
    threshold_range: ClassVar[tuple[int, int]] = (1, 720)

    hours: int = Field(description="Hours the message has waited")
    thread_id: uuid.UUID
    thread_context: str = Field(description="The thread's context: coach, support, ...")
    message_id: uuid.UUID
    sent_at: datetime


TIME_EVENTS: tuple[type[TimeThresholdEvent], ...] = (
    WorkoutsLapsed,
    SubscriptionEnding,
    MessageUnanswered,
)
