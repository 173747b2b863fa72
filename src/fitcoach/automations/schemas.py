"""Automations on the wire."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import ConfigDict, Field

from fitcoach.automations.service import AutomationChanges, AutomationDraft
from fitcoach.automations.simulation import (
    DEFAULT_SAMPLE_SIZE,
    MAX_SAMPLE_SIZE,
    Cap,
)
from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import label

Status = Literal["draft", "active", "paused"]

_EXAMPLE: dict[str, Any] = {
    "name": "Cheer a skipped workout",
    "trigger": {"event": "training.plan_item_completed"},
    "conditions": {
        "all": [
            {"field": "event.status", "op": "eq", "value": "skipped"},
            {"field": "customer.subscriptionType", "op": "in", "value": ["free", "paid"]},
            {"not": {"field": "customer.tags", "op": "contains", "value": "paused"}},
        ]
    },
    "actions": [
        {"type": "notify", "title": "Rest day?", "body": "Back at it tomorrow, {{customer.name}}"},
        {"type": "tag", "tag": "skipped-recently"},
    ],
    "status": "draft",
    "frequencyCap": {"maxRuns": 1, "perHours": 24},
}
_TRIGGER = (
    'An event type from GET /automations/catalog: {"event": "<type>"}; a time-based one also '
    'names its threshold: {"event": "automations.workouts_lapsed", "days": 7}'
)
_CONDITIONS = (
    "The condition language (see the catalog): {all|any: [...]}, {not: {...}} or "
    "{field, op, value}; null or left out: always"
)
_ACTIONS = "1 to 10 actions, each {type, ...parameters} as the catalog lists them"


class FrequencyCapIn(StrictApiModel):
    max_runs: int = Field(strict=True, ge=1, le=100, description="Runs per customer at most")
    per_hours: int = Field(
        strict=True, ge=1, le=8760, description="In any window of this many hours"
    )

    def to_cap(self) -> Cap:
        return Cap(runs=self.max_runs, hours=self.per_hours)


class AutomationIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    name: Annotated[str, label(120)]
    trigger: dict[str, Any] = Field(description=_TRIGGER)
    conditions: dict[str, Any] | None = Field(default=None, description=_CONDITIONS)
    actions: list[dict[str, Any]] = Field(description=_ACTIONS)
    status: Status = "draft"
    frequency_cap: FrequencyCapIn = Field(
        default_factory=lambda: FrequencyCapIn(max_runs=1, per_hours=24),
        description="Per customer (default: once a day)",
    )

    def to_draft(self) -> AutomationDraft:
        return AutomationDraft(
            name=self.name,
            trigger=self.trigger,
            conditions=self.conditions,
            actions=self.actions,
            status=self.status,
            cap=self.frequency_cap.to_cap(),
        )


class AutomationPatch(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "active"}, {"status": "paused"}]}
    )
    never_null: ClassVar[frozenset[str]] = frozenset(
        {"name", "trigger", "actions", "status", "frequency_cap"}
    )

    name: Annotated[str, label(120)] | None = None
    trigger: dict[str, Any] | None = Field(default=None, description=_TRIGGER)
    conditions: dict[str, Any] | None = Field(default=None, description=_CONDITIONS)
    actions: list[dict[str, Any]] | None = Field(default=None, description=_ACTIONS)
    status: Status | None = None
    frequency_cap: FrequencyCapIn | None = None

    def to_changes(self) -> AutomationChanges:
        return AutomationChanges(
            given=frozenset(self.model_fields_set),
            name=self.name,
            trigger=self.trigger,
            conditions=self.conditions,
            actions=self.actions,
            status=self.status,
            cap=self.frequency_cap.to_cap() if self.frequency_cap else None,
        )


class SimulateIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"sampleSize": 200}]})

    sample_size: int = Field(
        default=DEFAULT_SAMPLE_SIZE,
        strict=True,
        ge=1,
        le=MAX_SAMPLE_SIZE,
        description="How many of the trigger's latest events to replay",
    )


class FrequencyCapOut(ApiModel):
    max_runs: int
    per_hours: int


class AutomationOut(ApiModel):
    id: uuid.UUID
    name: str
    status: Status
    trigger: dict[str, Any]
    conditions: dict[str, Any] | None
    actions: list[dict[str, Any]]
    frequency_cap: FrequencyCapOut
    created_by_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class DayCountOut(ApiModel):
    date: date
    count: int


class ImpactOut(ApiModel):
    sample_size: int
    events_replayed: int = Field(description="Events of the trigger found (at most sampleSize)")
    matched: int = Field(description="Events whose conditions held")
    would_run: int = Field(description="Matches the rule would have acted on")
    stopped_by_frequency_cap: int
    stopped_by_loop_guard: int
    actions_by_type: dict[str, int]
    customers_affected: int
    messages_per_day: list[DayCountOut] = Field(description="Notifications by UTC day")


class AffectedEntityOut(ApiModel):
    event_id: uuid.UUID
    event_type: str
    occurred_at: datetime
    customer_id: uuid.UUID | None
    reasons: list[str] = Field(description="The comparisons that made the conditions hold")
    actions: list[str]
    stopped_by: Literal["frequencyCap", "loopGuard"] | None


class SimulationOut(ApiModel):
    impact: ImpactOut
    affected: list[AffectedEntityOut] = Field(description="The latest matches, newest first")


class CreatedAutomationOut(ApiModel):
    id: uuid.UUID
    automation: AutomationOut
    preview: SimulationOut = Field(description="The simulation on the default sample")


class RunOut(ApiModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    occurred_at: datetime
    customer_id: uuid.UUID | None
    outcome: Literal["performed", "frequencyCap", "loopGuard", "invalid"]
    reasons: list[str]
    performed: list[dict[str, Any]]
    created_at: datetime


class FieldOut(ApiModel):
    name: str
    type: str
    description: str
    values: list[str] | None


class ThresholdOut(ApiModel):
    name: str = Field(description="The trigger's parameter: days or hours")
    minimum: int
    maximum: int


class TriggerOut(ApiModel):
    event: str
    name: str
    description: str
    has_customer: bool
    fields: list[FieldOut]
    threshold: ThresholdOut | None = Field(
        description="Time-based triggers only: the whole number the trigger names beside its "
        'event, e.g. {"event": "automations.workouts_lapsed", "days": 7}'
    )


class OperatorOut(ApiModel):
    name: str
    types: list[str]
    description: str


class ActionOut(ApiModel):
    type: str
    description: str
    parameters: dict[str, str]


class CatalogOut(ApiModel):
    triggers: list[TriggerOut]
    operators: list[OperatorOut]
    actions: list[ActionOut]
    date_arithmetic: str
