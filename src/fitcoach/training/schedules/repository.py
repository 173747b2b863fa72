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

from fitcoach.models import Habit, Plan, PlanAssignment, PlanSchedule


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
        statement = (
            select(PlanAssignment, Plan)
            .join(Plan, Plan.id == PlanAssignment.plan_id)
            .where(PlanAssignment.customer_id == customer_id)
            .options(selectinload(Plan.items))
            .order_by(Plan.type.desc(), PlanAssignment.start_date, Plan.id)
        )
        if plan_id is not None:
            statement = statement.where(PlanAssignment.plan_id == plan_id)
        if on is not None:
            statement = statement.where(PlanAssignment.start_date <= on)
        rows = (await session.execute(statement)).all()
        plan_ids = [plan.id for _, plan in rows]
        schedules = await self._schedules(session, plan_ids)
        habits = await self._habits(session, plan_ids)
        return [
            FollowedPlan(
                assignment=assignment,
                plan=plan,
                schedule=schedules.get(plan.id),
                habits=habits.get(plan.id, []),
            )
            for assignment, plan in rows
        ]

    async def _schedules(
        self, session: AsyncSession, plan_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, PlanSchedule]:
        if not plan_ids:
            return {}
        result = await session.scalars(
            select(PlanSchedule).where(PlanSchedule.plan_id.in_(plan_ids))
        )
        return {schedule.plan_id: schedule for schedule in result}

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

    def add(self, session: AsyncSession, row: PlanSchedule | PlanAssignment | Habit) -> None:
        session.add(row)


schedules_repository = SchedulesRepository()
