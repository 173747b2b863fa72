"""The queries of coach tasks, with their "readable by this actor" rule: a coach sees their
own tasks, an admin everyone's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor, CoachTask, User
from fitcoach.models.enums import Role

TaskState = Literal["open", "done"]


@dataclass(frozen=True)
class TaskFilter:
    coach_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    state: TaskState | None = None


def _readable_by(actor: Actor) -> Select[CoachTask]:
    statement = select(CoachTask)
    if not actor.has_role(Role.ADMIN):
        statement = statement.where(CoachTask.coach_id == actor.id)
    return statement


class TasksRepository:
    async def page(
        self, session: AsyncSession, actor: Actor, filters: TaskFilter, page: PageRequest
    ) -> tuple[list[tuple[CoachTask, str | None]], int]:
        """The tasks with each customer's name (one query for the page), open ones due soonest
        first, then the newest."""
        statement = _readable_by(actor)
        if filters.coach_id is not None:
            statement = statement.where(CoachTask.coach_id == filters.coach_id)
        if filters.customer_id is not None:
            statement = statement.where(CoachTask.customer_id == filters.customer_id)
        if filters.state == "open":
            statement = statement.where(CoachTask.completed_at.is_(None))
        elif filters.state == "done":
            statement = statement.where(CoachTask.completed_at.is_not(None))
        total = (
            await session.execute(select(func.count()).select_from(statement.subquery()))
        ).scalar_one()
        customer = aliased(User)
        rows = await session.execute(
            statement.add_columns(customer.name)
            .join(customer, customer.id == CoachTask.customer_id)
            .order_by(
                CoachTask.completed_at.is_not(None),
                CoachTask.due_at.is_(None),
                CoachTask.due_at,
                CoachTask.created_at.desc(),
                CoachTask.id,
            )
            .offset(page.offset)
            .limit(page.page_size)
        )
        return [(task, name) for task, name in rows.all()], total

    async def get_for_update(
        self, session: AsyncSession, actor: Actor, task_id: uuid.UUID
    ) -> CoachTask | None:
        statement = _readable_by(actor).where(CoachTask.id == task_id).with_for_update()
        return (await session.execute(statement)).scalar_one_or_none()

    async def customer_name(self, session: AsyncSession, customer_id: uuid.UUID) -> str | None:
        return await session.scalar(select(User.name).where(User.id == customer_id))


tasks_repository = TasksRepository()
