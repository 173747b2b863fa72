"""One event through one rule: the facts its conditions read (the event's fields and its
customer's), whether they hold and why. Shared by the simulation and the live handler, so a
replay decides exactly as the live rule does."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fitcoach.automations.catalog import (
    CUSTOMER_FIELD,
    ENVELOPE_ATTRIBUTES,
    payload_attribute,
)
from fitcoach.automations.language import explain
from fitcoach.automations.repository import utc
from fitcoach.automations.rules import CompiledRule
from fitcoach.worker.events import DomainEvent

# Events caused by reactions to reactions: past this depth a rule does nothing, so two rules
# (or one) that trigger each other stop.
MAX_CAUSE_DEPTH = 3


def too_deep(event_depth: int) -> bool:
    """Whether an event of `event_depth` (0: recorded by a request) is past the loop guard."""
    return event_depth >= MAX_CAUSE_DEPTH


@dataclass(frozen=True)
class Verdict:
    matched: bool
    reasons: list[str]
    facts: dict[str, Any]


def customer_of(event: DomainEvent) -> uuid.UUID | None:
    value = getattr(event, CUSTOMER_FIELD, None)
    return value if isinstance(value, uuid.UUID) else None


def judge(
    rule: CompiledRule,
    event: DomainEvent,
    customer_facts: Mapping[str, Any] | None,
) -> Verdict:
    """Whether `event` meets `rule`'s conditions. `now` for date arithmetic is when the event
    happened."""
    facts = {**event_facts(rule, event), **(customer_facts or {})}
    threshold = rule.trigger.threshold
    if threshold is not None and getattr(event, threshold.name, None) != rule.threshold:
        # Recorded at another rule's threshold (5 days lapsed, this rule waits for 7).
        return Verdict(matched=False, reasons=[], facts=facts)
    matched, reasons = explain(rule.condition, facts, utc(event.occurred_at))
    if threshold is not None:
        reasons = [f"{threshold.name} reached {rule.threshold}", *reasons]
    return Verdict(matched=matched, reasons=reasons, facts=facts)


def event_facts(rule: CompiledRule, event: DomainEvent) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for spec in rule.trigger.fields:
        if not spec.name.startswith("event."):
            continue
        attribute = ENVELOPE_ATTRIBUTES.get(spec.name) or payload_attribute(spec.name)
        facts[spec.name] = _comparable(getattr(event, attribute, None))
    return facts


def _comparable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, date | str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [str(item) for item in value]
    return str(getattr(value, "value", value))
