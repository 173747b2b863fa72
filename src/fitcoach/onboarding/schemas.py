from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    model_validator,
)

from fitcoach.http.envelope import UNIQUE_ITEMS, ApiModel, StrictApiModel
from fitcoach.http.fields import NOT_NULL, label, of_kind
from fitcoach.models import Questionnaire
from fitcoach.models.vocabulary import Goal, Level, RiskFlag
from fitcoach.onboarding.service import Intake

MAX_QUESTIONS = 50
MAX_OPTIONS = 50

PreferenceType = Literal["single_choice", "multi_choice", "integer", "boolean"]
QuestionnaireStatus = Literal["current", "retired"]
Label = Annotated[str, label(200)]
PreferenceKey = Annotated[str, StringConstraints(pattern=r"^[a-z][A-Za-z0-9]{0,39}$")]
HealthFlagKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
# Strict, so that `true` is never taken for 1 nor 1 for "1".
Option = StrictInt | Annotated[StrictStr, StringConstraints(min_length=1, max_length=64)]


def _duplicates(keys: Sequence[object]) -> list[str]:
    seen: set[object] = set()
    repeated: list[str] = []
    for key in keys:
        if key in seen and str(key) not in repeated:
            repeated.append(str(key))
        seen.add(key)
    return repeated


class GoalOptionIn(StrictApiModel):
    key: Goal
    label: Label


_ABSENT = {"type": "null"}


class PreferenceQuestionIn(StrictApiModel):
    # The fields each type takes. That min <= max, and that options are distinct once
    # normalised, the schema cannot say (it compares no two fields, and whole items only).
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                *[
                    of_kind(
                        choice,
                        field="type",
                        options={"type": "array", "minItems": 1},
                        min=_ABSENT,
                        max=_ABSENT,
                        required=["options"],
                    )
                    for choice in ("single_choice", "multi_choice")
                ],
                of_kind(
                    "integer",
                    field="type",
                    options=_ABSENT,
                    min=NOT_NULL,
                    max=NOT_NULL,
                    required=["min", "max"],
                ),
                of_kind("boolean", field="type", options=_ABSENT, min=_ABSENT, max=_ABSENT),
            ]
        }
    )

    key: PreferenceKey = Field(description="camelCase, e.g. trainingDaysPerWeek")
    label: Label
    type: PreferenceType
    options: list[Option] | None = Field(
        default=None, max_length=MAX_OPTIONS, description="single_choice and multi_choice only"
    )
    min: StrictInt | None = Field(default=None, description="integer only")
    max: StrictInt | None = Field(default=None, description="integer only")

    @model_validator(mode="after")
    def _shape_fits_type(self) -> Self:
        if self.type in ("single_choice", "multi_choice"):
            if not self.options:
                raise ValueError(f"Preference {self.key} needs options")
            if _duplicates(self.options):
                raise ValueError(f"Preference {self.key} repeats options")
            if self.min is not None or self.max is not None:
                raise ValueError(f"Preference {self.key} takes options, not min and max")
        elif self.type == "integer":
            if self.min is None or self.max is None or self.min > self.max:
                raise ValueError(f"Preference {self.key} needs min <= max")
            if self.options is not None:
                raise ValueError(f"Preference {self.key} takes min and max, not options")
        elif self.options is not None or self.min is not None or self.max is not None:
            raise ValueError(f"Preference {self.key} (boolean) takes no options, min or max")
        return self


class HealthFlagQuestionIn(StrictApiModel):
    key: HealthFlagKey = Field(description="snake_case, e.g. heart_condition")
    label: Label
    meaning: Annotated[str, label(500)]
    risk_flags: list[RiskFlag] = Field(
        min_length=1,
        description="The risk flags a customer with this flag gets",
        json_schema_extra=UNIQUE_ITEMS,
    )

    @model_validator(mode="after")
    def _distinct_risks(self) -> Self:
        if _duplicates(self.risk_flags):
            raise ValueError(f"Health flag {self.key} repeats risk flags")
        return self


class QuestionnaireIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "goals": [{"key": "lose_weight", "label": "Lose weight"}],
                    "preferences": [
                        {
                            "key": "trainingDaysPerWeek",
                            "label": "Training days per week",
                            "type": "integer",
                            "min": 1,
                            "max": 7,
                        }
                    ],
                    "healthFlags": [
                        {
                            "key": "heart_condition",
                            "label": "Do you have a heart condition?",
                            "meaning": "A cardiac condition needs medical clearance",
                            "riskFlags": ["cardiac_condition"],
                        }
                    ],
                }
            ]
        }
    )

    goals: list[GoalOptionIn] = Field(min_length=1, max_length=len(Goal))
    preferences: list[PreferenceQuestionIn] = Field(max_length=MAX_QUESTIONS)
    health_flags: list[HealthFlagQuestionIn] = Field(max_length=MAX_QUESTIONS)

    @model_validator(mode="after")
    def _distinct_keys(self) -> Self:
        for kind, keys in (
            ("goals", [goal.key for goal in self.goals]),
            ("preferences", [question.key for question in self.preferences]),
            ("health flags", [flag.key for flag in self.health_flags]),
        ):
            repeated = _duplicates(keys)
            if repeated:
                raise ValueError(f"Repeated {kind}: {', '.join(repeated)}")
        return self

    def stored(self) -> dict[str, Any]:
        """The questions as kept in the database and shown by the API."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class GoalOptionOut(ApiModel):
    key: Goal
    label: str


class PreferenceQuestionOut(ApiModel):
    key: str
    label: str
    type: PreferenceType
    options: list[int | str] | None = None
    min: int | None = None
    max: int | None = None


class HealthFlagQuestionOut(ApiModel):
    key: str
    label: str
    meaning: str
    risk_flags: list[RiskFlag]


class QuestionnaireOut(ApiModel):
    version: int
    status: QuestionnaireStatus
    goals: list[GoalOptionOut]
    preferences: list[PreferenceQuestionOut]
    health_flags: list[HealthFlagQuestionOut]
    created_at: datetime
    created_by: uuid.UUID | None = Field(description="The admin who wrote it; null: built in")

    @classmethod
    def of(cls, questionnaire: Questionnaire) -> QuestionnaireOut:
        questions = questionnaire.questions
        return cls.model_validate(
            {
                "version": questionnaire.version,
                "status": questionnaire.status,
                "goals": questions.get("goals", []),
                "preferences": questions.get("preferences", []),
                "healthFlags": questions.get("healthFlags", []),
                "createdAt": questionnaire.created_at,
                "createdBy": questionnaire.created_by_id,
            }
        )


class IntakeIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "goals": ["lose_weight"],
                    "preferences": {"trainingDaysPerWeek": 3},
                    "healthFlags": [],
                    "consentAccepted": True,
                }
            ]
        }
    )

    # Bounded to the column's 32-bit integer: a larger number must be a 422, not a query error.
    questionnaire_version: StrictInt | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The version the answers are to; omitted (api-design.md's body), the current",
    )
    goals: list[str] = Field(default_factory=list, max_length=MAX_QUESTIONS)
    preferences: dict[str, Any] = Field(
        default_factory=dict, max_length=MAX_QUESTIONS, description="Preference key: answer"
    )
    health_flags: list[str] = Field(default_factory=list, max_length=MAX_QUESTIONS)
    consent_accepted: StrictBool | None = Field(
        default=None, description="Must be true: missing or false is refused with 409"
    )

    def to_intake(self, client_ip: str | None) -> Intake:
        return Intake(
            questionnaire_version=self.questionnaire_version,
            goals=self.goals,
            preferences=self.preferences,
            health_flags=self.health_flags,
            consent_accepted=self.consent_accepted,
            client_ip=client_ip,
        )


class RecommendedProgramOut(ApiModel):
    product_id: uuid.UUID
    title: str
    price_minor: int
    currency: str
    duration_weeks: int
    level: Level
    score: float
    reason: str


class IntakeOut(ApiModel):
    profile_id: uuid.UUID
    recommended_programs: list[RecommendedProgramOut]
