"""The job administration's API shapes. A job's arguments are not shown: they may carry
personal data or sealed codes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fitcoach.http.envelope import ApiModel
from fitcoach.models import Job

JobStateFilter = Literal["pending", "scheduled", "running", "succeeded", "dead", "discarded"]


class JobOut(ApiModel):
    id: uuid.UUID
    name: str
    state: str
    attempts: int
    max_attempts: int
    due_at: datetime
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(
            id=job.id,
            name=job.name,
            state=job.state,
            attempts=job.attempts,
            max_attempts=job.max_attempts,
            due_at=job.due_at,
            last_error=job.last_error,
            created_at=job.created_at,
            finished_at=job.finished_at,
        )
