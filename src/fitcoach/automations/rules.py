"""A rule as saved (trigger, conditions, actions as JSON) compiled into what runs: validated
against the catalog, every fault a RuleError naming its JSON path."""

from __future__ import annotations

import re
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


@dataclass(frozen=True)
class Action:
    """One thing a rule does. `params` are checked per type (see catalog.ACTIONS)."""

    type: str
    params: Mapping[str, Any]

    @property
    def sends_message(self) -> bool:
        return self.type == "notify"


@dataclass(frozen=True)
class CompiledRule:
    trigger: Trigger
    condition: Condition | None
    actions: tuple[Action, ...]

    def fields_read(self) -> set[str]:
        """The fields the conditions and the templates read."""
        names = fields_of(self.condition)
        for action in self.actions:
            for value in action.params.values():
                if isinstance(value, str):
                    names.update(PLACEHOLDER.findall(value))
        return names


def compile_rule(trigger_json: Any, conditions: Any, actions: Any) -> CompiledRule:
    found = _trigger(trigger_json)
    fields = found.field_map()
    condition = parse(conditions, "conditions", fields) if conditions is not None else None
    if not isinstance(actions, list) or not 1 <= len(actions) <= MAX_ACTIONS:
        raise RuleError("actions", f"a list of 1 to {MAX_ACTIONS} actions")
    compiled = tuple(
        _action(action, f"actions[{index}]", found, fields) for index, action in enumerate(actions)
    )
    return CompiledRule(trigger=found, condition=condition, actions=compiled)


def _trigger(raw: Any) -> Trigger:
    if not isinstance(raw, dict) or set(raw) != {"event"}:
        raise RuleError("trigger", 'a trigger is {"event": "<event type from the catalog>"}')
    event = raw["event"]
    found = trigger(event) if isinstance(event, str) else None
    if found is None:
        raise RuleError("trigger.event", f"unknown event type {event!r}; see the catalog")
    return found


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
    if kind == "notify":
        for key, limit in _TEXT_LIMITS.items():
            _template(params.get(key), f"{path}.{key}", limit, fields)
        category = params.setdefault("category", NotificationCategory.training.value)
        if category not in {item.value for item in NotificationCategory}:
            raise RuleError(f"{path}.category", f"unknown notification category {category!r}")
    elif kind == "tag":
        tag = params.get("tag")
        if not isinstance(tag, str) or TAG.fullmatch(tag) is None:
            raise RuleError(f"{path}.tag", "1-40 of a-z, 0-9, - and _")
    else:
        _template(params.get("title"), f"{path}.title", _TASK_TITLE_LIMIT, fields)
        due = params.get("dueInDays")
        if due is not None and (
            not isinstance(due, int) or isinstance(due, bool) or not 0 <= due <= _MAX_DUE_DAYS
        ):
            raise RuleError(f"{path}.dueInDays", f"a whole number from 0 to {_MAX_DUE_DAYS}")
    return Action(type=kind, params=params)


def _template(raw: Any, path: str, limit: int, fields: Mapping[str, FieldSpec]) -> None:
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
