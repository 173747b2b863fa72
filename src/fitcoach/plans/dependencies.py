"""The plan list's filters, parsed from the query string."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query

from fitcoach.models.enums import PlanType
from fitcoach.plans.repository import PlanFilter


async def _plan_filter(
    plan_type: Annotated[PlanType | None, Query(alias="type")] = None,
    user_id: Annotated[
        uuid.UUID | None, Query(alias="userId", description="Custom plans of this user")
    ] = None,
    template: Annotated[
        bool | None, Query(description="true: templates only; false: custom plans only")
    ] = None,
) -> PlanFilter:
    return PlanFilter(plan_type=plan_type, owner_id=user_id, template=template)


PlanFilterDep = Annotated[PlanFilter, Depends(_plan_filter)]
