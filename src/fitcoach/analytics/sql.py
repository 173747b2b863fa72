"""The date arithmetic the cohort query needs, spelt for each database: PostgreSQL has date
subtraction and to_char, SQLite julianday and strftime. Everything else is the same query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Integer, cast, func
from sqlalchemy.sql.elements import ColumnElement


@dataclass(frozen=True)
class DateSql:
    postgres: bool

    def utc_date(self, moment: Any) -> ColumnElement[Any]:
        """The UTC calendar date of a timestamp column (PostgreSQL's session zone aside)."""
        return func.date(func.timezone("UTC", moment)) if self.postgres else func.date(moment)

    def month_label(self, moment: Any) -> ColumnElement[str]:
        if self.postgres:
            return func.to_char(func.timezone("UTC", moment), "YYYY-MM")
        return func.strftime("%Y-%m", moment)

    def periods_between(self, start: Any, day: Any, interval: str) -> ColumnElement[int]:
        """Whole weeks, or calendar months, from the date `start` to the date `day`."""
        if interval == "week":
            if self.postgres:
                # Floor division: SQLAlchemy's `/` is true division, which CAST then rounds.
                return cast(cast(day, Date()) - cast(start, Date()), Integer) // 7
            return cast((func.julianday(day) - func.julianday(start)) / 7, Integer)
        return self._month_index(day) - self._month_index(start)

    def _month_index(self, day: Any) -> ColumnElement[int]:
        if self.postgres:
            date = cast(day, Date())
            year = cast(func.extract("year", date), Integer)
            return year * 12 + cast(func.extract("month", date), Integer)
        year = cast(func.strftime("%Y", day), Integer)
        return year * 12 + cast(func.strftime("%m", day), Integer)
