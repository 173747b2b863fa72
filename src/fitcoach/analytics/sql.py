"""The date arithmetic the cohort query needs, spelt for each database: PostgreSQL has date
subtraction and to_char, SQLite julianday and strftime. Everything else is the same query. And
the memory PostgreSQL may give the query's sorts and hashes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Integer, cast, func
from sqlalchemy.ext.asyncio import AsyncSession
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
            # date_part, not EXTRACT: since PostgreSQL 14 EXTRACT answers numeric, which costs
            # a third more over a million rows.
            date = cast(day, Date())
            year = cast(func.date_part("year", date), Integer)
            return year * 12 + cast(func.date_part("month", date), Integer)
        year = cast(func.strftime("%Y", day), Integer)
        return year * 12 + cast(func.strftime("%m", day), Integer)


@asynccontextmanager
async def sort_memory(session: AsyncSession, amount: str) -> AsyncIterator[None]:
    """PostgreSQL's `work_mem` (memory per sort or hash) raised to `amount` for the statements
    inside. Safe requests run in autocommit, where SET LOCAL would end with its own statement,
    so this is a session SET, reset before the connection can serve another request; a
    connection that cannot be reset is dropped from the pool instead."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    connection = await session.connection()
    await connection.exec_driver_sql(f"SET work_mem = '{amount}'")
    try:
        yield
    finally:
        try:
            await connection.exec_driver_sql("RESET work_mem")
        except BaseException:
            await connection.invalidate()
            raise
