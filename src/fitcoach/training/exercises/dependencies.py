"""The exercise list's filters, parsed from the query string."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from fitcoach.http.search import SearchQuery
from fitcoach.training.exercises.repository import ExerciseFilter
from fitcoach.training.exercises.rules import Equipment, MovementPattern
from fitcoach.training.exercises.schemas import Muscle


async def _exercise_filter(
    q: SearchQuery = None,
    muscle: Annotated[Muscle | None, Query(description="A primary or secondary muscle")] = None,
    equipment: Equipment | None = None,
    movement_pattern: Annotated[MovementPattern | None, Query(alias="movementPattern")] = None,
) -> ExerciseFilter:
    return ExerciseFilter(
        q=q,
        muscle=muscle,
        equipment=equipment.value if equipment else None,
        movement_pattern=movement_pattern.value if movement_pattern else None,
    )


ExerciseFilterDep = Annotated[ExerciseFilter, Depends(_exercise_filter)]
