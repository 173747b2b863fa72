"""Page-number pagination for every list endpoint: `page` and `pageSize` (capped) in, the page's
items plus `pagination` metadata out, ordered by one of a declared set of sort keys (`-key`
descending)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import Field
from sqlalchemy import ColumnElement, Select, UnaryExpression, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute
from typing_extensions import TypeForm

from fitcoach.http.envelope import ApiModel, schema_name

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Far past any real list, and small enough that the offset fits the databases' 64-bit integers.
MAX_PAGE = 1_000_000

T = TypeVar("T")
Row = TypeVar("Row")
SortColumn = ColumnElement[Any] | QueryableAttribute[Any]


@dataclass(frozen=True)
class PageRequest:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


async def _page_request(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")] = 1,
    page_size: Annotated[
        int, Query(alias="pageSize", ge=1, le=MAX_PAGE_SIZE, description="Items per page")
    ] = DEFAULT_PAGE_SIZE,
) -> PageRequest:
    return PageRequest(page=page, page_size=page_size)


PageRequestDep = Annotated[PageRequest, Depends(_page_request)]


class Pagination(ApiModel):
    page: int
    page_size: int
    total: int = Field(description="How many items the list holds; see totalIsExact")
    total_pages: int
    total_is_exact: bool = Field(
        description="False when the list counts only up to a limit and holds more: total is "
        "then that limit (at least this many)"
    )


class Page(ApiModel, Generic[T]):
    items: list[T]
    pagination: Pagination

    @classmethod
    def model_parametrized_name(cls, params: tuple[TypeForm[Any], ...]) -> str:
        return f"{schema_name(params[0])}Page"

    @classmethod
    def of(
        cls,
        items: Sequence[T],
        total: int,
        request: PageRequest,
        *,
        count_limit: int | None = None,
    ) -> Page[T]:
        """`count_limit`: the limit `fetch_page` counted up to, if any."""
        exact = count_limit is None or total <= count_limit
        shown = total if exact or count_limit is None else count_limit
        return cls(
            items=list(items),
            pagination=Pagination(
                page=request.page,
                page_size=request.page_size,
                total=shown,
                total_pages=math.ceil(shown / request.page_size),
                total_is_exact=exact,
            ),
        )


def sort_order(sort: str, columns: Mapping[str, SortColumn]) -> UnaryExpression[Any]:
    """The ORDER BY term for `sort`, a key of `columns` optionally prefixed with `-`."""
    column = columns[sort.removeprefix("-")]
    return column.desc() if sort.startswith("-") else column.asc()


async def fetch_page(
    session: AsyncSession,
    statement: Select[Row],
    request: PageRequest,
    *,
    count_limit: int | None = None,
) -> tuple[list[Row], int]:
    """One page of `statement`'s rows (it must already be ordered) and the total row count.

    An exact count reads every matching row, so it grows with the table. With `count_limit`,
    counting stops after `count_limit + 1` rows: a total above the limit means "more than
    that", and Page.of(count_limit=...) says so."""
    counted = statement.order_by(None)
    if count_limit is not None:
        counted = counted.limit(count_limit + 1)
    total = await session.scalar(select(func.count()).select_from(counted.subquery()))
    result = await session.execute(statement.limit(request.page_size).offset(request.offset))
    return list(result.scalars()), int(total or 0)
