from fitcoach.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from fitcoach.models.enums import PlanType


class PlanNotFound(NotFound):
    message = "Plan not found"


class PlanIsDefault(Conflict):
    message = "This plan is a configured default; choose another default first"


class OwnerNotCustomer(Unprocessable):
    message = "Custom plans can only be assigned to customers"


class CustomerNotAssigned(Forbidden):
    message = "Coaches can only create plans for customers assigned to them"


class ItemsDoNotMatchPlan(Unprocessable):
    def __init__(self, plan_type: PlanType) -> None:
        super().__init__(f"Items of a {plan_type.value} plan must be {plan_type.value} items")


class WrongPlanType(Unprocessable):
    def __init__(self, plan_type: PlanType) -> None:
        super().__init__(f"Plan is not a {plan_type.value} plan")


class PlanNotTemplate(Unprocessable):
    message = "Only a template plan (one not assigned to a user) can be a default"


class SubscriptionRequired(Forbidden):
    message = "An active subscription is required to view plans"


class NoDefaultPlan(NotFound):
    def __init__(self, plan_type: PlanType) -> None:
        super().__init__(f"No default {plan_type.value} plan is configured")


class NoPlanAvailable(NotFound):
    def __init__(self, plan_type: PlanType) -> None:
        super().__init__(
            f"No custom {plan_type.value} plan has been assigned and no default "
            f"{plan_type.value} plan is configured"
        )
