"""The account search's filters, parsed from the query string."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from fitcoach.http.search import SearchQuery
from fitcoach.models.enums import Role
from fitcoach.users.service import UserFilter


async def _user_filter(
    q: SearchQuery = None, role: Role | None = None, blocked: bool | None = None
) -> UserFilter:
    return UserFilter(text=q, role=role, blocked=blocked)


UserFilterDep = Annotated[UserFilter, Depends(_user_filter)]
