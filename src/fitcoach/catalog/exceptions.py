from fitcoach.core.errors import Conflict, Forbidden, NotFound, Unprocessable


class ProductNotFound(NotFound):
    message = "Product not found"


class ReviewNotFound(NotFound):
    message = "Review not found"


class CoachRequired(Unprocessable):
    message = "coachId is required when an admin creates a product"


class NotACoach(Unprocessable):
    message = "coachId must name a coach"


class CoachesLeadTheirOwnProducts(Forbidden):
    message = "Coaches can only create products they lead themselves"


class InvalidPriceRange(Unprocessable):
    message = "priceMin must not be greater than priceMax"


class ProductAlreadyInStatus(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"Product is already {status}")


class ProductNotPublished(Conflict):
    message = "Only published products can be reviewed"


class NotABuyer(Forbidden):
    message = "Only customers who bought this product can review it"


class AlreadyReviewed(Conflict):
    message = "You have already reviewed this product"


class ReviewAlreadyInState(Conflict):
    def __init__(self, state: str) -> None:
        super().__init__(f"Review is already {state}")
