from fitcoach.core.errors import Unprocessable


class InvalidCursor(Unprocessable):
    message = "cursor: not a cursor returned by this endpoint"


class InvalidDateRange(Unprocessable):
    message = (
        "dateRange must be FROM/TO in ISO-8601 (e.g. 2026-01-01T00:00:00Z/2026-02-01), "
        "either end may be left empty, and FROM must be before TO"
    )
