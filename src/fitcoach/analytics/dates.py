"""A calendar day as analytics' query strings and bodies take it: ISO 8601 (YYYY-MM-DD) only,
as the schema's `format: date` says; pydantic alone would also read `0` as 1 January 1970."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("a date must be written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_day)]
