from __future__ import annotations

from fitcoach.core.errors import NotFound, Unprocessable


class AutomationNotFound(NotFound):
    message = "Automation not found"


class InvalidRule(Unprocessable):
    """A trigger, condition or action the catalog does not allow; `errors` names its JSON path
    the way request validation errors do."""

    message = "The automation's rule is invalid"

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.errors = [{"field": path, "message": message}]
