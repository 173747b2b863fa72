from fitcoach.core.errors import Conflict, Unprocessable


class IdempotencyKeyReused(Unprocessable):
    message = (
        "This Idempotency-Key was already used with a different request; use a new key for a "
        "new request"
    )


class IdempotencyKeyInProgress(Conflict):
    message = "A request with this Idempotency-Key has not finished; retry shortly"
