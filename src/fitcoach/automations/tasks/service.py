"""Coach tasks: a coach lists and completes their own; an admin any coach's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.automations.tasks.exceptions import TaskNotFound
from fitcoach.automations.tasks.repository import TaskFilter, tasks_repository
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor, CoachTask


@dataclass(frozen=True)
class TaskView:
    task: CoachTask
    customer_name: str | None


class TasksService:
    async def page(
        self, session: AsyncSession, actor: Actor, filters: TaskFilter, page: PageRequest
    ) -> tuple[list[TaskView], int]:
        rows, total = await tasks_repository.page(session, actor, filters, page)
        return [TaskView(task, name) for task, name in rows], total

    async def set_completed(
        self,
        session: AsyncSession,
        actor: Actor,
        task_id: uuid.UUID,
        completed: bool,
        now: datetime,
    ) -> TaskView:
        """Completing a done task keeps its first completion time; reopening clears it."""
        task = await tasks_repository.get_for_update(session, actor, task_id)
        if task is None:
            raise TaskNotFound()
        if not completed:
            task.completed_at = None
        elif task.completed_at is None:
            task.completed_at = now
        await session.flush()
        return TaskView(task, await tasks_repository.customer_name(session, task.customer_id))


tasks_service = TasksService()
