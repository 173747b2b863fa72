"""Queries on schedules, assignments, habits and time zones. What a customer follows is read
only through `followed_by`: a customer's assignments, so their days show no one else's plans."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from fitcoach.db.cache import topics
from fitcoach.db.cache.reads import CachedRead
from fitcoach.models import Habit, Plan, PlanAssignment, PlanSchedule, User

# A person's time zone column, as a one-tuple (None: no such user), for the day's reads: the
# customer's day is cached under the same topic, and resolving which day is today must not cost
# the query the cached day saves.
_TIME_ZONES: CachedRead[tuple[str | None] | None] = CachedRead(
    "time_zones", topic=topics.TRAINING_DAY, tables=(User.__tablename__,), max_groups=50_000
)


@dataclass(frozen=True)
class FollowedPlan:
    assignment: PlanAssignment
    plan: Plan
    schedule: PlanSchedule | None
    habits: list[Habit]


class SchedulesRepository:
    async def schedule(self, session: AsyncSession, plan_id: uuid.UUID) -> PlanSchedule | None:
        return await session.get(PlanSchedule, plan_id)

    async def assignment(
        self, session: AsyncSession, customer_id: uuid.UUID, plan_id: uuid.UUID
    ) -> PlanAssignment | None:
        return await session.scalar(
            select(PlanAssignment).where(
                PlanAssignment.customer_id == customer_id, PlanAssignment.plan_id == plan_id
            )
        )

    async def followed_by(
        self,
        session: AsyncSession,
        customer_id: uuid.UUID,
        plan_id: uuid.UUID | None = None,
        on: date | None = None,
    ) -> list[FollowedPlan]:
        """The plans the customer follows (started by `on`, if given), with items."""
        # A plan has at most one schedule (its key is the plan's): joined, not a second query.
        statement = (
            select(PlanAssignment, Plan, PlanSchedule)
            .join(Plan, Plan.id == PlanAssignment.plan_id)
            .outerjoin(PlanSchedule, PlanSchedule.plan_id == Plan.id)
            .where(PlanAssignment.customer_id == customer_id)
            .options(selectinload(Plan.items))
            .order_by(Plan.type.desc(), PlanAssignment.start_date, Plan.id)
        )
        if plan_id is not None:
            statement = statement.where(PlanAssignment.plan_id == plan_id)
        if on is not None:
            statement = statement.where(PlanAssignment.start_date <= on)
        rows = (await session.execute(statement)).all()
        habits = await self._habits(session, [plan.id for _, plan, _ in rows])
        return [
            FollowedPlan(
                assignment=assignment,
                plan=plan,
                schedule=schedule,
                habits=habits.get(plan.id, []),
            )
            for assignment, plan, schedule in rows
        ]

    async def _habits(
        self, session: AsyncSession, plan_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[Habit]]:
        found: dict[uuid.UUID, list[Habit]] = {}
        if not plan_ids:
            return found
        result = await session.scalars(
            select(Habit).where(Habit.plan_id.in_(plan_ids)).order_by(Habit.created_at, Habit.id)
        )
        for habit in result:
            if habit.plan_id is not None:
                found.setdefault(habit.plan_id, []).append(habit)
        return found

    async def customer_habits(self, session: AsyncSession, customer_id: uuid.UUID) -> list[Habit]:
        """The customer's own habits (not those of their plans)."""
        result = await session.scalars(
            select(Habit)
            .where(Habit.customer_id == customer_id)
            .order_by(Habit.created_at, Habit.id)
        )
        return list(result)

    async def time_zone(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> tuple[str | None] | None:
        """The user's time zone column (a one-tuple, None when there is no such user)."""

        async def load() -> tuple[str | None] | None:
            found = (
                await session.execute(select(User.time_zone).where(User.id == user_id))
            ).first()
            return None if found is None else (found.time_zone,)

        return await _TIME_ZONES.read(session, str(user_id), None, load)

    def add(self, session: AsyncSession, row: PlanSchedule | PlanAssignment | Habit) -> None:
        session.add(row)


schedules_repository = SchedulesRepository()
