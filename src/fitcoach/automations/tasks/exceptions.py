from __future__ import annotations

from fitcoach.core.errors import NotFound


class TaskNotFound(NotFound):
    message = "Task not found"
