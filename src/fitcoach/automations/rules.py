"""A rule as saved (trigger, conditions, actions as JSON) compiled into what runs: validated
against the catalog, every fault a RuleError naming its JSON path."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fitcoach.automations.catalog import ACTION_TYPES, Trigger, trigger
from fitcoach.automations.language import Condition, FieldSpec, RuleError, fields_of, parse
from fitcoach.models.enums import NotificationCategory

MAX_ACTIONS = 10
TAG = re.compile(r"[a-z0-9_-]{1,40}")
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_.]*)\s*\}\}")
_TEXT_LIMITS = {"title": 120, "body": 1000}
_TASK_TITLE_LIMIT = 200
_MAX_DUE_DAYS = 365
_MESSAGE_LIMIT = 2000
_MAX_VALID_DAYS = 365
_MAX_FREEZES_PER_GRANT = 5
# What a promo action's templates may name besides the trigger's fields.
PROMO_FIELDS = ("promo.code", "promo.percentOff", "promo.validUntil")
# The actions that put something in front of the customer (the simulation counts them).
_REACHES_CUSTOMER = frozenset({"notify", "message", "promo"})


@dataclass(frozen=True)
class Action:
    """One thing a rule does. `params` are checked per type (see catalog.ACTIONS)."""

    type: str
    params: Mapping[str, Any]

    @property
    def sends_message(self) -> bool:
        return self.type in _REACHES_CUSTOMER


@dataclass(frozen=True)
class CompiledRule:
    trigger: Trigger
    condition: Condition | None
    actions: tuple[Action, ...]
    # A time-based trigger's threshold (7 of "no workout for 7 days"): the rule meets only the
    # events recorded at it.
    threshold: int | None = None

    def fields_read(self) -> set[str]:
        """The fields the conditions and the templates read (of the event and customer)."""
        names = fields_of(self.condition)
        for action in self.actions:
            for value in action.params.values():
                if isinstance(value, str):
                    names.update(PLACEHOLDER.findall(value))
        return names - set(PROMO_FIELDS)


def compile_rule(trigger_json: Any, conditions: Any, actions: Any) -> CompiledRule:
    found, threshold = _trigger(trigger_json)
    fields = found.field_map()
    condition = parse(conditions, "conditions", fields) if conditions is not None else None
    if not isinstance(actions, list) or not 1 <= len(actions) <= MAX_ACTIONS:
        raise RuleError("actions", f"a list of 1 to {MAX_ACTIONS} actions")
    compiled = tuple(
        _action(action, f"actions[{index}]", found, fields) for index, action in enumerate(actions)
    )
    return CompiledRule(trigger=found, condition=condition, actions=compiled, threshold=threshold)


def _trigger(raw: Any) -> tuple[Trigger, int | None]:
    """The trigger's event type, and the threshold a time-based one must name."""
    if not isinstance(raw, dict) or "event" not in raw:
        raise RuleError("trigger", 'a trigger is {"event": "<event type from the catalog>"}')
    event = raw["event"]
    found = trigger(event) if isinstance(event, str) else None
    if found is None:
        raise RuleError("trigger.event", f"unknown event type {event!r}; see the catalog")
    wanted = {"event"} | ({found.threshold.name} if found.threshold else set())
    unknown = sorted(set(raw) - wanted)
    if unknown:
        raise RuleError(f"trigger.{unknown[0]}", f"is not a parameter of {found.event}")
    if found.threshold is None:
        return found, None
    name, low, high = found.threshold.name, found.threshold.low, found.threshold.high
    _whole(raw.get(name), f"trigger.{name}", low, high)
    return found, int(raw[name])


def _action(raw: Any, path: str, found: Trigger, fields: Mapping[str, FieldSpec]) -> Action:
    if not isinstance(raw, dict):
        raise RuleError(path, "an action is a JSON object with a type")
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in ACTION_TYPES:
        raise RuleError(
            f"{path}.type", f"unknown action {kind!r}; one of {', '.join(ACTION_TYPES)}"
        )
    if not found.has_customer:
        raise RuleError(f"{path}.type", f"{found.event} concerns no customer to act on")
    params = {key: value for key, value in raw.items() if key != "type"}
    allowed = set(ACTION_TYPES[kind].parameters)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise RuleError(f"{path}.{unknown[0]}", f"is not a parameter of {kind}")
    if kind in {"notify", "promo"}:
        known = {**fields, **dict.fromkeys(PROMO_FIELDS)} if kind == "promo" else fields
        for key, limit in _TEXT_LIMITS.items():
            _template(params.get(key), f"{path}.{key}", limit, known)
    if kind == "notify":
        category = params.setdefault("category", NotificationCategory.training.value)
        if category not in {item.value for item in NotificationCategory}:
            raise RuleError(f"{path}.category", f"unknown notification category {category!r}")
    elif kind == "promo":
        _whole(params.get("percentOff"), f"{path}.percentOff", 1, 100)
        _whole(params.get("validDays"), f"{path}.validDays", 1, _MAX_VALID_DAYS)
    elif kind == "tag":
        tag = params.get("tag")
        if not isinstance(tag, str) or TAG.fullmatch(tag) is None:
            raise RuleError(f"{path}.tag", "1-40 of a-z, 0-9, - and _")
    elif kind == "message":
        _template(params.get("body"), f"{path}.body", _MESSAGE_LIMIT, fields)
    elif kind == "webhook":
        endpoint = params.get("endpointId")
        if not isinstance(endpoint, str) or _uuid(endpoint) is None:
            raise RuleError(f"{path}.endpointId", "the id of a webhook endpoint")
    elif kind == "freeze":
        _whole(params.setdefault("count", 1), f"{path}.count", 1, _MAX_FREEZES_PER_GRANT)
    else:
        _template(params.get("title"), f"{path}.title", _TASK_TITLE_LIMIT, fields)
        due = params.get("dueInDays")
        if due is not None:
            _whole(due, f"{path}.dueInDays", 0, _MAX_DUE_DAYS)
    return Action(type=kind, params=params)


def _whole(raw: Any, path: str, low: int, high: int) -> None:
    if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
        raise RuleError(path, f"a whole number from {low} to {high}")


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _template(raw: Any, path: str, limit: int, fields: Mapping[str, Any]) -> None:
    if not isinstance(raw, str) or not raw.strip() or len(raw) > limit:
        raise RuleError(path, f"a text of 1 to {limit} characters")
    for name in PLACEHOLDER.findall(raw):
        if name not in fields:
            raise RuleError(path, f"unknown field {name!r} in {{{{...}}}}")


def render(template: str, facts: Mapping[str, Any]) -> str:
    """`template` with each {{field}} replaced by its value (missing: empty)."""
    return PLACEHOLDER.sub(lambda match: _text(facts.get(match.group(1))), template)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
