"""Checking answers against one questionnaire version: which goals, preferences and health flags
it asks about, which values each preference accepts, and the risk flags health flags imply."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fitcoach.models.vocabulary import Goal, RiskFlag
from fitcoach.onboarding.exceptions import InvalidPreferences, UnknownAnswers


def _same_value(value: object, option: object) -> bool:
    """Equal and of the same type, so neither `true` nor "30" passes for 1 or 30."""
    return type(value) is type(option) and value == option


def _listed(options: Iterable[object]) -> str:
    return ", ".join(str(option) for option in options)


def _problem(question: Mapping[str, Any], value: object) -> str | None:
    key, kind = question["key"], question["type"]
    options = question.get("options") or []
    if kind == "integer":
        low, high = question["min"], question["max"]
        if type(value) is not int or not low <= value <= high:
            return f"{key} must be a whole number from {low} to {high}"
    elif kind == "boolean":
        if type(value) is not bool:
            return f"{key} must be true or false"
    elif kind == "single_choice":
        if not any(_same_value(value, option) for option in options):
            return f"{key} must be one of {_listed(options)}"
    elif kind == "multi_choice":
        chosen = value if isinstance(value, list) else None
        if (
            chosen is None
            or not all(any(_same_value(one, option) for option in options) for one in chosen)
            or len({repr(one) for one in chosen}) != len(chosen)
        ):
            return f"{key} must be a list of distinct values from {_listed(options)}"
    return None


@dataclass(frozen=True)
class Answers:
    goals: list[Goal]
    preferences: dict[str, Any]
    health_flags: list[str]
    risk_flags: list[RiskFlag]


class QuestionnaireRules:
    def __init__(self, questions: Mapping[str, Any]) -> None:
        self._goals = [goal["key"] for goal in questions.get("goals", [])]
        self._preferences = {
            question["key"]: question for question in questions.get("preferences", [])
        }
        self._health_flags = {flag["key"]: flag for flag in questions.get("healthFlags", [])}

    def check(
        self, goals: Iterable[str], preferences: Mapping[str, Any], health_flags: Iterable[str]
    ) -> Answers:
        """The answers, de-duplicated and with their risk flags; 422 naming what is wrong."""
        chosen_goals = list(dict.fromkeys(goals))
        unknown_goals = [goal for goal in chosen_goals if goal not in self._goals]
        if unknown_goals:
            raise UnknownAnswers("goals", unknown_goals)
        flags = list(dict.fromkeys(health_flags))
        unknown_flags = [flag for flag in flags if flag not in self._health_flags]
        if unknown_flags:
            raise UnknownAnswers("health flags", unknown_flags)
        self.check_preferences(preferences)
        implied = {risk for flag in flags for risk in self._health_flags[flag]["riskFlags"]}
        return Answers(
            goals=[Goal(goal) for goal in chosen_goals],
            preferences=dict(preferences),
            health_flags=flags,
            risk_flags=[risk for risk in RiskFlag if risk.value in implied],
        )

    def asks(self, preference: str) -> bool:
        return preference in self._preferences

    def check_preferences(self, preferences: Mapping[str, Any]) -> None:
        unknown = [key for key in preferences if key not in self._preferences]
        if unknown:
            raise UnknownAnswers("preferences", unknown)
        problems = [
            problem
            for key, value in preferences.items()
            if (problem := _problem(self._preferences[key], value)) is not None
        ]
        if problems:
            raise InvalidPreferences(problems)
