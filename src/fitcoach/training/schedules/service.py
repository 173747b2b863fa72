"""Plan schedules, who follows which plan from when, habits, and customers' time zones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from fitcoach.customers.service import customers_service
from fitcoach.models import Actor, Habit, PlanAssignment, PlanSchedule, User
from fitcoach.models.enums import Role
from fitcoach.plans.exceptions import OwnerNotCustomer
from fitcoach.plans.service import plans_service
from fitcoach.training.exceptions import NotYourCustomer, PlanOfAnotherCustomer
from fitcoach.training.schedules.repository import FollowedPlan, schedules_repository
from fitcoach.training.schedules.rules import HABIT_UNITS, HabitKind, ScheduleKind
from fitcoach.training.timezones import DEFAULT_TIMEZONE, zone
from fitcoach.users.exceptions import UserNotFound
from fitcoach.users.service import user_service

# session.info key: the time zones this session has read, by user id.
_TIMEZONES_KEY = "fitcoach.training.time_zones"


@dataclass(frozen=True)
class ScheduleDraft:
    kind: ScheduleKind
    cycle_days: int | None  # only for a cycle


@dataclass(frozen=True)
class AssignmentDraft:
    customer_id: uuid.UUID
    start_date: date


@dataclass(frozen=True)
class HabitDraft:
    kind: HabitKind
    name: str
    target: float
    unit: str | None  # None: the built-in kind's own unit


class SchedulesService:
    async def set_schedule(
        self,
        session: AsyncSession,
        actor: Actor,
        plan_id: uuid.UUID,
        body: ScheduleDraft,
        now: datetime,
    ) -> PlanSchedule:
        await plans_service.writable(session, actor, plan_id)
        schedule = await schedules_repository.schedule(session, plan_id)
        if schedule is None:
            schedule = PlanSchedule(plan_id=plan_id, created_at=now)
            schedules_repository.add(session, schedule)
        schedule.kind = body.kind.value
        schedule.cycle_days = body.cycle_days
        schedule.updated_at = now
        await session.flush()
        return schedule

    async def assign(
        self,
        session: AsyncSession,
        actor: Actor,
        plan_id: uuid.UUID,
        body: AssignmentDraft,
        now: datetime,
    ) -> PlanAssignment:
        """The customer follows the plan from the start date (moved, if they already did). A
        plan the actor cannot see is 404 before anything else, as for every plan route; then a
        coach's assignments are checked before the customer is loaded, so that an id of no
        customer of theirs answers the same whatever it names."""
        plan = await plans_service.get(session, actor, plan_id)
        if not actor.has_role(Role.ADMIN) and not await customers_service.is_assigned(
            session, actor.id, body.customer_id
        ):
            raise NotYourCustomer()
        customer = await user_service.get(session, body.customer_id)
        if not customer.has_role(Role.CUSTOMER):
            raise OwnerNotCustomer()
        if plan.owner_id is not None and plan.owner_id != customer.id:
            raise PlanOfAnotherCustomer()
        assignment = await schedules_repository.assignment(session, customer.id, plan_id)
        if assignment is None:
            assignment = PlanAssignment(customer_id=customer.id, plan_id=plan_id, created_at=now)
            schedules_repository.add(session, assignment)
        assignment.start_date = body.start_date
        assignment.assigned_by_id = actor.id
        assignment.updated_at = now
        await session.flush()
        return assignment

    async def add_habit(
        self,
        session: AsyncSession,
        actor: Actor,
        plan_id: uuid.UUID,
        body: HabitDraft,
        now: datetime,
    ) -> Habit:
        await plans_service.writable(session, actor, plan_id)
        habit = Habit(
            plan_id=plan_id,
            kind=body.kind.value,
            name=body.name,
            target=body.target,
            unit=HABIT_UNITS.get(body.kind, body.unit or ""),
            created_at=now,
            updated_at=now,
        )
        schedules_repository.add(session, habit)
        await session.flush()
        return habit

    async def add_customer_habit(
        self,
        session: AsyncSession,
        actor: Actor,
        customer_id: uuid.UUID,
        body: HabitDraft,
        now: datetime,
    ) -> Habit:
        """The customer, their coach or an admin gives the customer a habit of their own."""
        await customers_service.profile(session, actor, customer_id, now)
        habit = Habit(
            customer_id=customer_id,
            kind=body.kind.value,
            name=body.name,
            target=body.target,
            unit=HABIT_UNITS.get(body.kind, body.unit or ""),
            created_at=now,
            updated_at=now,
        )
        schedules_repository.add(session, habit)
        await session.flush()
        return habit

    async def customer_habits(self, session: AsyncSession, customer_id: uuid.UUID) -> list[Habit]:
        return await schedules_repository.customer_habits(session, customer_id)

    async def followed_by(
        self, session: AsyncSession, customer_id: uuid.UUID, plan_id: uuid.UUID | None = None
    ) -> list[FollowedPlan]:
        return await schedules_repository.followed_by(session, customer_id, plan_id)

    async def timezone_of(self, session: AsyncSession, user_id: uuid.UUID) -> str:
        """The person's own IANA zone (users.time_zone, which notifications' quiet hours read
        too), UTC until they set one."""
        held = session.identity_map.get(identity_key(User, user_id))
        if isinstance(held, User):  # the session's copy, possibly changed and not yet flushed
            return held.time_zone or DEFAULT_TIMEZONE
        # The column alone, once per session: loading the user would also load their roles
        # (two round trips), and today, completion and its streak each ask.
        known: dict[uuid.UUID, str | None] = session.info.setdefault(_TIMEZONES_KEY, {})
        if user_id not in known:
            found = await schedules_repository.time_zone(session, user_id)
            if found is None:
                raise UserNotFound()
            known[user_id] = found[0]
        return known[user_id] or DEFAULT_TIMEZONE

    async def set_timezone(
        self, session: AsyncSession, user_id: uuid.UUID, name: str, now: datetime
    ) -> str:
        zone(name)
        user = await user_service.get(session, user_id)
        user.time_zone = name
        session.info.get(_TIMEZONES_KEY, {}).pop(user_id, None)
        await session.flush()
        return name


schedules_service = SchedulesService()
