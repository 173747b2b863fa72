"""Errors of the analytics domain."""

from __future__ import annotations

from fitcoach.core.errors import Forbidden, NotFound, Unprocessable


class ProgressRangeInvalid(Unprocessable):
    message = (
        "Give either range (7d, 30d, 90d or 1y) or from/to dates; from must not be after to, "
        "and the span is at most 731 days"
    )


class DrilldownTokenInvalid(Forbidden):
    message = "This drilldown token was altered or was not issued to you; load the cohorts again"


class DrilldownTokenExpired(Forbidden):
    message = "This drilldown token has expired; load the cohorts again for fresh ones"


class ExportNotFound(NotFound):
    message = "Export not found"


class ExportLinkInvalid(Forbidden):
    message = "This download link is invalid or has expired; ask for a new one"


class ExportNotReady(Unprocessable):
    message = "The export is not ready yet; its state says when it is"


class FinanceRangeInvalid(Unprocessable):
    message = "from must not be after to, and the span is at most 731 days"
