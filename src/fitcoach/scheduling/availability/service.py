"""Coaches' availability: their own to set (or an admin's), theirs, their customers' and
admins' to read; and the free one-to-one slots of a range in a time zone of the caller's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.customers.service import customers_service
from fitcoach.models import CoachAvailability
from fitcoach.models.enums import Role
from fitcoach.models.user import Actor
from fitcoach.scheduling.availability.repository import availability_repository
from fitcoach.scheduling.availability.slots import Busy, SlotRequest, free_slots
from fitcoach.scheduling.exceptions import (
    CoachNotFound,
    CustomersBookOneToOne,
    InvalidRange,
    NotYourAvailability,
    OutsideAvailability,
)
from fitcoach.scheduling.sessions.policy import SchedulingPolicy
from fitcoach.scheduling.sessions.repository import session_repository
from fitcoach.scheduling.sessions.rules import SessionType, instant, zone_named
from fitcoach.scheduling.sessions.service import SessionDraft, SessionView, session_service
from fitcoach.users.exceptions import UserNotFound
from fitcoach.users.service import user_service

MAX_SLOT_DAYS = 31


@dataclass(frozen=True)
class TimeOff:
    start: datetime
    end: datetime
    reason: str | None


@dataclass(frozen=True)
class Availability:
    timezone: str
    weekly_hours: dict[str, list[list[str]]]
    time_off: list[TimeOff]


@dataclass(frozen=True)
class SlotQuery:
    start: datetime
    end: datetime
    timezone: str
    minutes: int


def _view(row: CoachAvailability | None) -> Availability:
    if row is None:
        return Availability(timezone="UTC", weekly_hours={}, time_off=[])
    return Availability(
        timezone=row.timezone,
        weekly_hours=row.weekly_hours,
        time_off=[
            TimeOff(datetime.fromisoformat(start), datetime.fromisoformat(end), reason)
            for start, end, reason in row.time_off
        ],
    )


class AvailabilityService:
    async def get(self, session: AsyncSession, actor: Actor, coach_id: uuid.UUID) -> Availability:
        await self._readable(session, actor, coach_id)
        return _view(await availability_repository.of_coach(session, coach_id))

    async def replace(
        self,
        session: AsyncSession,
        actor: Actor,
        coach_id: uuid.UUID,
        availability: Availability,
        now: datetime,
    ) -> Availability:
        await self._readable(session, actor, coach_id)
        if actor.id != coach_id and not actor.has_role(Role.ADMIN):
            raise NotYourAvailability()
        zone = zone_named(availability.timezone)
        row = await availability_repository.of_coach(session, coach_id)
        if row is None:
            row = CoachAvailability(coach_id=coach_id)
            availability_repository.add(session, row)
        row.timezone = zone.key
        row.weekly_hours = availability.weekly_hours
        row.time_off = [
            [one.start.isoformat(), one.end.isoformat(), one.reason]
            for one in availability.time_off
        ]
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="scheduling.availability.updated",
                resource_type="user",
                resource_id=coach_id,
            ),
            now,
        )
        return _view(row)

    async def slots(
        self,
        session: AsyncSession,
        actor: Actor,
        coach_id: uuid.UUID,
        query: SlotQuery,
        policy: SchedulingPolicy,
        now: datetime,
    ) -> list[tuple[datetime, datetime]]:
        await self._readable(session, actor, coach_id)
        asked = zone_named(query.timezone)
        start = instant("from", query.start, asked)
        end = instant("to", query.end, asked)
        if end <= start:
            raise InvalidRange("to must be after from")
        if end - start > timedelta(days=MAX_SLOT_DAYS):
            raise InvalidRange(f"to must be at most {MAX_SLOT_DAYS} days after from")
        availability = _view(await availability_repository.of_coach(session, coach_id))
        sessions = await session_repository.coach_sessions_between(
            session, coach_id, (start - policy.buffer, end + policy.buffer)
        )
        busy = [Busy(one.start, one.end) for one in availability.time_off] + [
            Busy(one.start_at - policy.buffer, one.coach_busy_until) for one in sessions
        ]
        return free_slots(
            availability.weekly_hours,
            zone_named(availability.timezone),
            busy,
            SlotRequest(start, end, timedelta(minutes=query.minutes), now),
        )

    async def book_one_to_one(
        self,
        session: AsyncSession,
        customer: Actor,
        draft: SessionDraft,
        policy: SchedulingPolicy,
        now: datetime,
    ) -> SessionView:
        """A customer's one-to-one with their own coach, inside one of the coach's free slots
        (their weekly hours, not their time off; other sessions are checked as for anyone)."""
        if (
            draft.type is not SessionType.one_to_one
            or draft.participants not in ([], [customer.id])
            or draft.drop_in is not None
        ):
            raise CustomersBookOneToOne()
        await self._readable(session, customer, draft.coach_id)
        zone = zone_named(draft.timezone)
        start = instant("startTime", draft.start, zone)
        end = instant("endTime", draft.end, zone)
        availability = _view(await availability_repository.of_coach(session, draft.coach_id))
        inside = free_slots(
            availability.weekly_hours,
            zone_named(availability.timezone),
            [Busy(one.start, one.end) for one in availability.time_off],
            SlotRequest(start, end, end - start, now),
        )
        if (start, end) not in inside:
            raise OutsideAvailability()
        return await session_service.schedule(
            session, customer, replace(draft, participants=[customer.id]), policy, now
        )

    async def _readable(self, session: AsyncSession, actor: Actor, coach_id: uuid.UUID) -> None:
        """The coach themselves, admins and the coach's customers; anyone else gets 404."""
        try:
            coach = await user_service.get(session, coach_id)
        except UserNotFound as exc:
            raise CoachNotFound() from exc
        allowed = coach.has_role(Role.COACH) and (
            actor.id == coach_id
            or actor.has_role(Role.ADMIN)
            or await customers_service.is_assigned(session, coach_id, actor.id)
        )
        if not allowed:
            raise CoachNotFound()


availability_service = AvailabilityService()
