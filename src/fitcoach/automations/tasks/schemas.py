"""Coach tasks on the wire."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from fitcoach.automations.tasks.service import TaskView
from fitcoach.http.envelope import ApiModel, StrictApiModel


class TaskPatch(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"completed": True}, {"completed": False}]}
    )

    completed: bool = Field(description="true completes the task; false reopens it")


class TaskOut(ApiModel):
    id: uuid.UUID
    coach_id: uuid.UUID
    customer_id: uuid.UUID
    customer_name: str | None
    automation_id: uuid.UUID | None = Field(description="The automation that created it")
    title: str
    due_at: datetime | None
    completed_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, view: TaskView) -> TaskOut:
        task = view.task
        return cls(
            id=task.id,
            coach_id=task.coach_id,
            customer_id=task.customer_id,
            customer_name=view.customer_name,
            automation_id=task.automation_id,
            title=task.title,
            due_at=task.due_at,
            completed_at=task.completed_at,
            created_at=task.created_at,
        )
