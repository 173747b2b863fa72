"""The caller's aggregated calendar: a customer's bookings, a coach's sessions, an admin's
choice of coach (or everyone's), over a bounded range, shown in the requested time zone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.http.pagination import PageRequest
from fitcoach.models.enums import Role
from fitcoach.models.user import Actor
from fitcoach.scheduling.exceptions import CalendarRoleRefused, InvalidRange
from fitcoach.scheduling.sessions.policy import SchedulingPolicy
from fitcoach.scheduling.sessions.repository import CalendarFilter, session_repository
from fitcoach.scheduling.sessions.rules import SessionStatus, instant, zone_named
from fitcoach.scheduling.sessions.service import SessionView, view_for

MAX_RANGE_DAYS = 92


class CalendarRole(StrEnum):
    customer = "customer"
    coach = "coach"


@dataclass(frozen=True)
class CalendarQuery:
    start: datetime
    end: datetime
    timezone: str
    role: CalendarRole | None
    status: SessionStatus | None
    coach_id: uuid.UUID | None
    page: PageRequest


@dataclass(frozen=True)
class Calendar:
    views: list[SessionView]
    total: int
    timezone: str


def _filter_of(
    actor: Actor, query: CalendarQuery, span: tuple[datetime, datetime]
) -> CalendarFilter:
    status = query.status.value if query.status is not None else None
    start, end = span
    if query.coach_id is not None:
        if not actor.has_role(Role.ADMIN):
            raise CalendarRoleRefused("coachId is for admins: coaches see their own calendar")
        return CalendarFilter(start, end, query.coach_id, None, status)
    role = query.role
    if role is None and not actor.has_role(Role.ADMIN):
        role = CalendarRole.coach if actor.has_role(Role.COACH) else CalendarRole.customer
    if role is CalendarRole.coach:
        if not actor.has_role(Role.COACH):
            raise CalendarRoleRefused("role=coach is for coaches")
        return CalendarFilter(start, end, actor.id, None, status)
    if role is CalendarRole.customer:
        if not actor.has_role(Role.CUSTOMER):
            raise CalendarRoleRefused("role=customer is for customers")
        return CalendarFilter(start, end, None, actor.id, status)
    return CalendarFilter(start, end, None, None, status)


async def calendar_of(
    session: AsyncSession,
    actor: Actor,
    query: CalendarQuery,
    policy: SchedulingPolicy,
    now: datetime,
) -> Calendar:
    zone = zone_named(query.timezone)
    start = instant("start", query.start, zone)
    end = instant("end", query.end, zone)
    if end <= start:
        raise InvalidRange("end must be after start")
    if end - start > timedelta(days=MAX_RANGE_DAYS):
        raise InvalidRange(f"end must be at most {MAX_RANGE_DAYS} days after start")
    found = await session_repository.calendar(
        session, _filter_of(actor, query, (start, end)), query.page
    )
    return Calendar(
        views=[view_for(one, found.bookings[one.id], actor, policy, now) for one in found.sessions],
        total=found.total,
        timezone=zone.key,
    )
