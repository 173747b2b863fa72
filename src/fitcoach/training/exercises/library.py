"""The seed library: wger's exercises (shipped in data/, see data/ATTRIBUTION.md) turned into our
vocabulary, with the movement pattern, instructions and contraindications we write ourselves.

Pure functions over the shipped file, so the migration, the seed command and the tests build
exactly the same rows."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from fitcoach.training.exercises.rules import (
    EQUIPMENT_KEYS,
    contraindications_for,
    instructions_for,
    movement_pattern_of,
)


@dataclass(frozen=True)
class SeedExercise:
    id: uuid.UUID
    name: str
    category: str
    movement_pattern: str
    instructions: str
    variation_group: str | None
    licence: str
    author: str
    primary_muscles: tuple[str, ...]
    secondary_muscles: tuple[str, ...]
    equipment: tuple[str, ...]
    contraindications: tuple[str, ...]


def _muscles(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name.strip().lower().replace(" ", "_") for name in names))


def _seed(row: dict[str, Any]) -> SeedExercise:
    name = row["name"].strip()
    category = row["category"].lower()
    equipment = tuple(dict.fromkeys(EQUIPMENT_KEYS[item].value for item in row["equipment"]))
    pattern = movement_pattern_of(name, category)
    return SeedExercise(
        id=uuid.UUID(row["id"]),
        name=name,
        category=category,
        movement_pattern=pattern.value,
        instructions=instructions_for(pattern, equipment),
        variation_group=row["variationGroup"],
        licence=row["licence"],
        author=row["author"],
        primary_muscles=_muscles(row["primaryMuscles"]),
        secondary_muscles=_muscles(row["secondaryMuscles"]),
        equipment=equipment,
        contraindications=contraindications_for(name, pattern, equipment),
    )


@cache
def seed_exercises() -> tuple[SeedExercise, ...]:
    """The 872 exercises of the shipped file, in its order."""
    text = resources.files(__package__).joinpath("data/exercises.json").read_text("utf-8")
    return tuple(_seed(row) for row in json.loads(text)["exercises"])
