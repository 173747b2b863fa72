"""Who may review, and the list filters parsed and cross-checked from the query string."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query

from fitcoach.access.dependencies import require_role
from fitcoach.catalog.exceptions import InvalidPriceRange
from fitcoach.catalog.products.repository import ProductFilter
from fitcoach.catalog.schemas import MAX_PRICE_MINOR
from fitcoach.models import User
from fitcoach.models.enums import Role
from fitcoach.models.vocabulary import Goal

CustomerUser = Annotated[
    User, require_role(Role.CUSTOMER, message="Only customers can review products")
]


async def _product_filter(
    goal: Annotated[Goal | None, Query(description="Products serving this goal")] = None,
    duration: Annotated[
        int | None, Query(ge=1, le=104, description="Program length in weeks, exactly")
    ] = None,
    price_min: Annotated[
        int | None,
        Query(alias="priceMin", ge=0, le=MAX_PRICE_MINOR, description="In minor units"),
    ] = None,
    price_max: Annotated[
        int | None,
        Query(alias="priceMax", ge=0, le=MAX_PRICE_MINOR, description="In minor units"),
    ] = None,
    coach_id: Annotated[uuid.UUID | None, Query(alias="coachId")] = None,
) -> ProductFilter:
    if price_min is not None and price_max is not None and price_min > price_max:
        raise InvalidPriceRange()
    return ProductFilter(
        goal=goal.value if goal is not None else None,
        duration_weeks=duration,
        price_min=price_min,
        price_max=price_max,
        coach_id=coach_id,
    )


ProductFilterDep = Annotated[ProductFilter, Depends(_product_filter)]
