"""The hourly scan behind time-based triggers. For each threshold an active automation names
(7 of "no workout for 7 days"), it records an event for every customer who has reached it, in
the customer's own time zone for day thresholds. An event's id is derived from what it says
(the customer, the threshold and the fact: the last workout's day, the subscription's end, the
message), so scanning again, on the hour or after a restart, records nothing twice; and a new
fact (a later workout, an extended subscription) arms the trigger again.

The events then run through the automations like any other: conditions, the frequency cap, the
run history, the simulation's replay."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.automations.timed.events import (
    MessageUnanswered,
    SubscriptionEnding,
    TimeThresholdEvent,
    WorkoutsLapsed,
)
from fitcoach.automations.timed.repository import day_band, timed_repository
from fitcoach.training.timezones import DEFAULT_TIMEZONE, local_date
from fitcoach.worker.events import record_event

# Event ids are name-based UUIDs in a namespace of their own.
_NAMESPACE = uuid.UUID("5d0b1f3e-8c52-4f0c-9a7e-2b6a4e1c7d90")
_SUBJECT = "customer"
# How long after a message crossed its threshold the scan still sees it: an hour's scan plus a
# day of catching up after an outage.
_MESSAGE_CATCH_UP = timedelta(hours=25)


def _event_id(kind: str, *facts: object) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, ":".join([kind, *map(str, facts)]))


def _about(customer_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    """The fields every time event shares: the customer it concerns, seen now, by no one."""
    return {
        "occurred_at": now,
        "actor_id": None,
        "subject_type": _SUBJECT,
        "subject_id": str(customer_id),
        "customer_id": customer_id,
    }


class TimedTriggers:
    async def scan(self, session: AsyncSession, now: datetime) -> int:
        """Record the events of every threshold reached; how many were new."""
        found: list[TimeThresholdEvent] = []
        for days in await timed_repository.thresholds(session, WorkoutsLapsed.type, "days"):
            found += await self._lapsed(session, days, now)
        for days in await timed_repository.thresholds(session, SubscriptionEnding.type, "days"):
            found += await self._ending(session, days, now)
        for hours in await timed_repository.thresholds(session, MessageUnanswered.type, "hours"):
            found += await self._unanswered(session, hours, now)
        return await self._record_new(session, found)

    async def _lapsed(
        self, session: AsyncSession, days: int, now: datetime
    ) -> list[WorkoutsLapsed]:
        band = day_band(now.date() - timedelta(days=days))
        return [
            WorkoutsLapsed(
                id=_event_id(WorkoutsLapsed.type, last.customer_id, days, last.on),
                **_about(last.customer_id, now),
                days=days,
                last_workout_on=last.on,
            )
            for last in await timed_repository.last_workouts(session, band)
            if (local_date(now, last.time_zone or DEFAULT_TIMEZONE) - last.on).days == days
        ]

    async def _ending(
        self, session: AsyncSession, days: int, now: datetime
    ) -> list[SubscriptionEnding]:
        target = now + timedelta(days=days)
        band = (target - timedelta(days=2), target + timedelta(days=2))
        found = []
        for term in await timed_repository.ending_terms(session, band):
            zone = term.time_zone or DEFAULT_TIMEZONE
            if (local_date(term.ends_at, zone) - local_date(now, zone)).days != days:
                continue
            found.append(
                SubscriptionEnding(
                    id=_event_id(SubscriptionEnding.type, term.subscription_id, days, term.ends_at),
                    **_about(term.customer_id, now),
                    days=days,
                    subscription_id=term.subscription_id,
                    subscription_type=term.type,
                    ends_at=term.ends_at,
                )
            )
        return found

    async def _unanswered(
        self, session: AsyncSession, hours: int, now: datetime
    ) -> list[MessageUnanswered]:
        crossed = now - timedelta(hours=hours)
        band = (crossed - _MESSAGE_CATCH_UP, crossed)
        return [
            MessageUnanswered(
                id=_event_id(MessageUnanswered.type, message.message_id, hours),
                **_about(message.customer_id, now),
                hours=hours,
                thread_id=message.thread_id,
                thread_context=message.thread_context,
                message_id=message.message_id,
                sent_at=message.sent_at,
            )
            for message in await timed_repository.waiting_messages(session, band)
        ]

    async def _record_new(self, session: AsyncSession, found: Sequence[TimeThresholdEvent]) -> int:
        known = await timed_repository.recorded(session, [event.id for event in found])
        new = [event for event in found if event.id not in known]
        for event in new:
            record_event(session, event)
        return len(new)


timed_triggers = TimedTriggers()
