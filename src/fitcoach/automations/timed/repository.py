"""The hourly scan's queries: which thresholds active automations name, and the customers near
each threshold. The queries select a band a day wide around the threshold in UTC; the scan then
decides on each customer's own local day."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from fitcoach.models import (
    Automation,
    Message,
    MessageThread,
    OutboxEvent,
    Subscription,
    TrainingDay,
    User,
    UserRole,
)
from fitcoach.models.enums import Role

ACTIVE = "active"
# Subscription states that still give access: a past-due renewal is being retried.
_LIVE_SUBSCRIPTION = ("active", "past_due")


@dataclass(frozen=True)
class LastWorkout:
    customer_id: uuid.UUID
    on: date
    time_zone: str | None


@dataclass(frozen=True)
class EndingTerm:
    customer_id: uuid.UUID
    subscription_id: uuid.UUID
    type: str
    ends_at: datetime
    time_zone: str | None


@dataclass(frozen=True)
class WaitingMessage:
    customer_id: uuid.UUID
    thread_id: uuid.UUID
    thread_context: str
    message_id: uuid.UUID
    sent_at: datetime


class TimedRepository:
    async def thresholds(self, session: AsyncSession, event_type: str, name: str) -> set[int]:
        """The thresholds the active automations triggered by `event_type` name."""
        triggers = await session.scalars(
            select(Automation.trigger).where(
                Automation.trigger_event == event_type, Automation.status == ACTIVE
            )
        )
        return {int(value) for trigger in triggers if isinstance(value := trigger.get(name), int)}

    async def last_workouts(
        self, session: AsyncSession, band: tuple[date, date]
    ) -> list[LastWorkout]:
        """Customers whose last completed workout fell in `band` (first, last local day)."""
        first, last = band
        latest = func.max(TrainingDay.local_date)
        rows = await session.execute(
            select(TrainingDay.customer_id, latest, User.time_zone)
            .join(User, User.id == TrainingDay.customer_id)
            .where(TrainingDay.workouts_done > 0)
            .group_by(TrainingDay.customer_id, User.time_zone)
            .having(and_(latest >= first, latest <= last))
        )
        return [LastWorkout(customer, on, zone) for customer, on, zone in rows]

    async def ending_terms(
        self, session: AsyncSession, band: tuple[datetime, datetime]
    ) -> list[EndingTerm]:
        """Live subscriptions ending inside `band` with no term of the customer after them."""
        later = aliased(Subscription)
        rows = await session.execute(
            select(
                Subscription.user_id,
                Subscription.id,
                Subscription.type,
                Subscription.ends_at,
                User.time_zone,
            )
            .join(User, User.id == Subscription.user_id)
            .where(
                Subscription.status.in_(_LIVE_SUBSCRIPTION),
                Subscription.ends_at >= band[0],
                Subscription.ends_at < band[1],
                ~exists().where(
                    later.user_id == Subscription.user_id, later.ends_at > Subscription.ends_at
                ),
            )
        )
        return [EndingTerm(*row) for row in rows]

    async def waiting_messages(
        self, session: AsyncSession, band: tuple[datetime, datetime]
    ) -> list[WaitingMessage]:
        """Customers' messages sent inside `band` that are still the last of their thread."""
        rows = await session.execute(
            select(
                Message.sender_id,
                Message.thread_id,
                MessageThread.context,
                Message.id,
                Message.created_at,
            )
            .join(MessageThread, MessageThread.id == Message.thread_id)
            .join(
                UserRole,
                (UserRole.user_id == Message.sender_id) & (UserRole.role == Role.CUSTOMER.value),
            )
            .where(
                Message.seq == MessageThread.last_seq,
                Message.deleted_at.is_(None),
                Message.created_at >= band[0],
                Message.created_at < band[1],
            )
        )
        return [WaitingMessage(*row) for row in rows]

    async def recorded(self, session: AsyncSession, event_ids: list[uuid.UUID]) -> set[Any]:
        """Which of `event_ids` the outbox already holds (an earlier scan recorded them)."""
        if not event_ids:
            return set()
        return set(
            await session.scalars(select(OutboxEvent.id).where(OutboxEvent.id.in_(event_ids)))
        )


def day_band(center: date) -> tuple[date, date]:
    """The UTC days a local day can be, anywhere (UTC-12 to UTC+14)."""
    return center - timedelta(days=1), center + timedelta(days=1)


timed_repository = TimedRepository()
