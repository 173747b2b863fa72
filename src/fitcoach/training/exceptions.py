"""Errors of the training domain that its subpackages share."""

from fitcoach.core.errors import Conflict, Forbidden, NotFound, Unprocessable


class PlanNotFollowed(NotFound):
    message = "Plan not found among the plans you follow"


class ItemNotInPlan(NotFound):
    message = "Item not found in this plan"


class UnknownTimezone(Unprocessable):
    message = "timezone must be an IANA time zone name, e.g. Africa/Cairo"


class NotYourCustomer(Forbidden):
    message = "Coaches can only manage the customers assigned to them"


class PlanOfAnotherCustomer(Unprocessable):
    message = "A custom plan can only be followed by the customer it was written for"


class InvalidMetrics(Unprocessable):
    def __init__(self, subject: str, problems: list[str]) -> None:
        super().__init__(f"Invalid metrics for a {subject} item: " + "; ".join(problems))


class NotScheduledThatDay(Unprocessable):
    message = "This item is not scheduled on that day of your plan"


class FutureDay(Unprocessable):
    message = "date cannot be after today in your time zone"


class UndoOnlySameDay(Unprocessable):
    message = "A completion can only be set back to pending on the same day"


class AdherenceRangeInvalid(Unprocessable):
    def __init__(self, max_days: int) -> None:
        super().__init__(f"from must not be after to, and the range at most {max_days} days")


class BadgeCodeTaken(Conflict):
    message = "A badge with this code already exists"


class NotTheSubstitution(Unprocessable):
    message = "substitutionId is not the substitution applied to this item"


class HabitNotFound(NotFound):
    message = "Habit not found among your own habits"
