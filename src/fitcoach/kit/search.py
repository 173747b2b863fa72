"""Free-text search over a few columns, for the console's "find a person" boxes."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_

from fitcoach.kit.pagination import SortColumn


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
