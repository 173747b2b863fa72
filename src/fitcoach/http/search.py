"""Free-text search over a few columns, for the console's "find a person" boxes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from sqlalchemy import ColumnElement, func, or_

from fitcoach.http.pagination import SortColumn

# The `q` query parameter of a search box. PostgreSQL text cannot hold NUL, so a needle with one
# is refused here (422) rather than failing in the database.
SearchQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=100,
        pattern=r"^[^\x00]+$",
        description="Part of the name, phone or email",
    ),
]


def contains_text(needle: str, *columns: SortColumn) -> ColumnElement[bool]:
    """Rows where any of `columns` contains `needle`, ignoring case; `%` and `_` in the needle
    are matched literally."""
    lowered = needle.lower()
    return or_(
        *(
            func.lower(func.coalesce(column, "")).contains(lowered, autoescape=True)
            for column in columns
        )
    )
