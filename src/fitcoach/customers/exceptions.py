from fitcoach.core.errors import Conflict, NotFound, Unprocessable


class CustomerNotFound(NotFound):
    message = "Customer not found"


class NotACoach(Unprocessable):
    message = "coachId must be the id of a coach"


class CoachAlreadyAssigned(Conflict):
    message = "This coach is already assigned to the customer"


class CoachNotAssigned(NotFound):
    message = "This coach is not assigned to the customer"
