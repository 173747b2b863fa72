"""What a rule can name: the triggers (every event class loaded, read from the worker's
registry, so an event a domain adds later is a trigger without a change here), the fields each
trigger offers, the operators and the actions. The console builds its editor from it."""

from __future__ import annotations

import enum
import types
import typing
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic.alias_generators import to_camel

from fitcoach.automations.language import FieldSpec
from fitcoach.automations.timed.events import TimeThresholdEvent
from fitcoach.worker.events import DomainEvent, event_types

# The payload field that names the customer an event concerns; an event without one offers no
# customer fields and no customer actions.
CUSTOMER_FIELD = "customer_id"
_ENVELOPE = (
    FieldSpec("event.occurredAt", "datetime", "When the event happened"),
    FieldSpec("event.actorId", "uuid", "Who caused it (missing: the system)"),
    FieldSpec("event.subjectType", "string", "The kind of thing it happened to"),
    FieldSpec("event.subjectId", "string", "The id of the thing it happened to"),
)
ENVELOPE_ATTRIBUTES = {
    "event.occurredAt": "occurred_at",
    "event.actorId": "actor_id",
    "event.subjectType": "subject_type",
    "event.subjectId": "subject_id",
}
_NOT_PAYLOAD = frozenset({"id", "occurred_at", "actor_id", "subject_type", "subject_id"})

CUSTOMER_FIELDS = (
    FieldSpec("customer.id", "uuid", "The customer's user id"),
    FieldSpec("customer.name", "string", "The customer's name"),
    FieldSpec("customer.age", "integer", "Age in years, as they gave it"),
    FieldSpec("customer.gender", "string", "Gender, as they gave it", ("male", "female")),
    FieldSpec("customer.createdAt", "datetime", "When the customer signed up"),
    FieldSpec("customer.timeZone", "string", "IANA time zone (missing: UTC)"),
    FieldSpec("customer.goals", "list", "Goals from onboarding"),
    FieldSpec("customer.riskFlags", "list", "Risk flags derived from onboarding"),
    FieldSpec("customer.tags", "list", "Tags automations have put on the customer"),
    FieldSpec(
        "customer.subscriptionType",
        "string",
        "The current subscription's type (none: no active subscription)",
        ("free", "paid", "none"),
    ),
    FieldSpec("customer.subscriptionEndsAt", "datetime", "When the current subscription ends"),
    FieldSpec("customer.currentStreak", "integer", "Days in the current training streak"),
    FieldSpec("customer.workouts", "integer", "Workouts completed so far"),
)

_SIMPLE_TYPES: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    datetime: "datetime",
    date: "date",
    uuid.UUID: "uuid",
}


@dataclass(frozen=True)
class Threshold:
    """What a time-based trigger needs besides its event: the threshold (a whole number of
    `name`, from `low` to `high`) that the hourly scan records the event at."""

    name: str
    low: int
    high: int


@dataclass(frozen=True)
class Trigger:
    """An event type as a rule's trigger."""

    event: str
    name: str
    description: str
    has_customer: bool
    fields: tuple[FieldSpec, ...]
    threshold: Threshold | None = None

    def field_map(self) -> dict[str, FieldSpec]:
        return {spec.name: spec for spec in self.fields}


@dataclass(frozen=True)
class ActionSpec:
    type: str
    description: str
    parameters: dict[str, str]


ACTIONS = (
    ActionSpec(
        "notify",
        "Send the customer a notification (inbox, push, e-mail, SMS as their preferences "
        "allow). Title and body are templates: {{field}} is replaced by that field's value.",
        {
            "title": "template, 1-120 characters",
            "body": "template, 1-1000 characters",
            "category": "notification category (default training)",
        },
    ),
    ActionSpec(
        "tag",
        "Put a tag on the customer (customer.tags); a tag already there stays as it is.",
        {"tag": "1-40 of a-z, 0-9, - and _"},
    ),
    ActionSpec(
        "task",
        "Create a task for each coach assigned to the customer.",
        {"title": "template, 1-200 characters", "dueInDays": "optional, 0-365"},
    ),
    ActionSpec(
        "message",
        "Send the customer a message in their thread with each assigned coach, from that "
        "coach (nothing when no coach is assigned).",
        {"body": "template, 1-2000 characters"},
    ),
    ActionSpec(
        "promo",
        "Offer the customer a single-use promo code (AUTO-...), valid for validDays, and tell "
        "them in a notification whose templates may also use {{promo.code}}, "
        "{{promo.percentOff}} and {{promo.validUntil}}.",
        {
            "percentOff": "1-100",
            "validDays": "1-365",
            "title": "template, 1-120 characters",
            "body": "template, 1-1000 characters",
        },
    ),
    ActionSpec(
        "webhook",
        "Deliver the event to an outgoing webhook endpoint (/api/v1/integrations/webhooks), "
        "signed and retried like a subscription's deliveries.",
        {"endpointId": "the endpoint's id"},
    ),
    ActionSpec(
        "freeze",
        "Grant the customer streak freezes (at most the policy's stock), in stock from their "
        "local day of the grant.",
        {"count": "1-5 (default 1)"},
    ),
)
ACTION_TYPES = {spec.type: spec for spec in ACTIONS}


def triggers() -> dict[str, Trigger]:
    """Every trigger, by event type."""
    return {
        name: _trigger(name, event_class) for name, event_class in sorted(event_types().items())
    }


def trigger(event: str) -> Trigger | None:
    event_class = event_types().get(event)
    return _trigger(event, event_class) if event_class is not None else None


def _trigger(event: str, event_class: type[DomainEvent]) -> Trigger:
    payload = [
        FieldSpec(f"event.{to_camel(name)}", *described)
        for name, info in event_class.model_fields.items()
        if name not in _NOT_PAYLOAD
        and (described := _described(info.annotation, info.description or name)) is not None
    ]
    has_customer = CUSTOMER_FIELD in event_class.model_fields
    doc = (event_class.__doc__ or event_class.__name__).strip().split("\n\n")[0]
    threshold = None
    if issubclass(event_class, TimeThresholdEvent):
        threshold = Threshold(event_class.threshold, *event_class.threshold_range)
    return Trigger(
        event=event,
        name=event_class.__name__,
        description=" ".join(doc.split()),
        has_customer=has_customer,
        fields=(*_ENVELOPE, *payload, *(CUSTOMER_FIELDS if has_customer else ())),
        threshold=threshold,
    )


def _described(annotation: Any, description: str) -> tuple[str, str, tuple[str, ...] | None] | None:
    """(type, description, closed values) of a payload field, or None for a shape conditions
    cannot compare (a nested object)."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in {typing.Union, types.UnionType}:
        present = [arg for arg in args if arg is not type(None)]
        return _described(present[0], description) if len(present) == 1 else None
    if origin is Literal and all(isinstance(arg, str) for arg in args):
        return "string", description, tuple(args)
    if origin in {list, tuple, frozenset, set} and args and args[0] is str:
        return "list", description, None
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "string", description, tuple(str(member.value) for member in annotation)
    kind = _SIMPLE_TYPES.get(annotation)
    return (kind, description, None) if kind is not None else None


def payload_attribute(field: str) -> str:
    """The event attribute an `event.<camelCase>` payload field reads."""
    name = field.removeprefix("event.")
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in name)
