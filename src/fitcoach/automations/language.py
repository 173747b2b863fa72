"""The condition language of automations: a small typed expression over named fields.

A condition is a JSON object, one of:

- `{"all": [c, ...]}`: every condition holds (an empty list holds);
- `{"any": [c, ...]}`: at least one holds;
- `{"not": c}`: `c` does not hold;
- `{"field": "<name>", "op": "<operator>", "value": <value>}`: a comparison.

Fields are typed (`string`, `integer`, `number`, `boolean`, `datetime`, `date`, `uuid`,
`list`); each operator accepts some types and a value of a given shape (OPERATORS). A
`datetime` or `date` value is an ISO 8601 literal or date arithmetic, `{"daysFromNow": n}`:
n days after (negative: before) the moment the rule is evaluated, which is when the event
happened, so a replay of history decides as the live rule would have. A missing (null) field
satisfies only `eq null`, `ne <value>` and `exists false`.

`parse` validates a condition against the fields a trigger offers and raises RuleError naming
the JSON path of the first fault (`conditions.all[1].field`); `explain` evaluates it and says
why it held."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

MAX_DEPTH = 8
MAX_ITEMS = 50

ORDERED = frozenset({"integer", "number", "datetime", "date"})
SCALAR = frozenset({"string", "integer", "number", "uuid"})
EVERY_TYPE = frozenset(
    {"string", "integer", "number", "boolean", "datetime", "date", "uuid", "list"}
)


@dataclass(frozen=True)
class Operator:
    name: str
    types: frozenset[str]
    description: str


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("eq", EVERY_TYPE - {"list"}, "equals the value (null: the field is missing)"),
        Operator("ne", EVERY_TYPE - {"list"}, "differs from the value"),
        Operator("lt", ORDERED, "is less than / before the value"),
        Operator("lte", ORDERED, "is at most / not after the value"),
        Operator("gt", ORDERED, "is greater than / after the value"),
        Operator("gte", ORDERED, "is at least / not before the value"),
        Operator("in", SCALAR, "is one of the values (a non-empty list)"),
        Operator("notIn", SCALAR, "is none of the values (a non-empty list)"),
        Operator("contains", frozenset({"list"}), "the list field holds the string value"),
        Operator("exists", EVERY_TYPE, "the field has a value (true) or is missing (false)"),
    )
}


@dataclass(frozen=True)
class FieldSpec:
    """A field conditions and templates may name. `values`: the closed set a string takes."""

    name: str
    type: str
    description: str
    values: tuple[str, ...] | None = None


class RuleError(ValueError):
    """A rule that cannot be saved: `path` is the JSON path of the fault."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class RelativeDays:
    days: int


@dataclass(frozen=True)
class Compare:
    field: FieldSpec
    op: str
    value: Any


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Compare | AllOf | AnyOf | Not


def parse(node: Any, path: str, fields: Mapping[str, FieldSpec], depth: int = 0) -> Condition:
    """The condition `node` describes, checked against `fields`."""
    if depth > MAX_DEPTH:
        raise RuleError(path, f"conditions nest at most {MAX_DEPTH} levels deep")
    if not isinstance(node, dict):
        raise RuleError(path, "a condition is a JSON object")
    if "field" in node or "op" in node:
        return _comparison(node, path, fields)
    keys = set(node)
    if len(keys) != 1 or not keys <= {"all", "any", "not"}:
        raise RuleError(
            path, "a condition is {all: [...]}, {any: [...]}, {not: {...}} or a comparison"
        )
    (key,) = keys
    if key == "not":
        return Not(parse(node["not"], f"{path}.not", fields, depth + 1))
    items = node[key]
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise RuleError(f"{path}.{key}", f"a list of at most {MAX_ITEMS} conditions")
    parsed = tuple(
        parse(item, f"{path}.{key}[{index}]", fields, depth + 1) for index, item in enumerate(items)
    )
    return AllOf(parsed) if key == "all" else AnyOf(parsed)


def _comparison(node: dict[str, Any], path: str, fields: Mapping[str, FieldSpec]) -> Compare:
    unknown = sorted(set(node) - {"field", "op", "value"})
    if unknown:
        raise RuleError(f"{path}.{unknown[0]}", "is not part of a comparison")
    name = node.get("field")
    spec = fields.get(name) if isinstance(name, str) else None
    if spec is None:
        raise RuleError(f"{path}.field", f"unknown field {name!r} for this trigger")
    op = node.get("op")
    operator = OPERATORS.get(op) if isinstance(op, str) else None
    if operator is None:
        raise RuleError(f"{path}.op", f"unknown operator {op!r}; one of {', '.join(OPERATORS)}")
    if spec.type not in operator.types:
        raise RuleError(f"{path}.op", f"{op} does not apply to {spec.name} ({spec.type})")
    if "value" not in node:
        raise RuleError(f"{path}.value", "is required")
    return Compare(spec, operator.name, _value(spec, operator.name, node["value"], f"{path}.value"))


def _value(spec: FieldSpec, op: str, raw: Any, path: str) -> Any:
    if op == "exists":
        if not isinstance(raw, bool):
            raise RuleError(path, "exists takes true or false")
        return raw
    if op in {"in", "notIn"}:
        if not isinstance(raw, list) or not raw or len(raw) > MAX_ITEMS:
            raise RuleError(path, f"{op} takes a list of 1 to {MAX_ITEMS} values")
        return tuple(_scalar(spec, item, f"{path}[{index}]") for index, item in enumerate(raw))
    if op == "contains":
        if not isinstance(raw, str):
            raise RuleError(path, "contains takes a string")
        return raw
    if raw is None and op in {"eq", "ne"}:
        return None
    return _scalar(spec, raw, path)


def _scalar(spec: FieldSpec, raw: Any, path: str) -> Any:
    kind = spec.type
    if kind in {"datetime", "date"} and isinstance(raw, dict):
        days = raw.get("daysFromNow")
        if set(raw) != {"daysFromNow"} or not isinstance(days, int) or isinstance(days, bool):
            raise RuleError(path, 'date arithmetic is {"daysFromNow": <whole number>}')
        return RelativeDays(days)
    if kind == "datetime":
        return _parsed(path, raw, datetime.fromisoformat, "an ISO 8601 date-time with a zone")
    if kind == "date":
        return _parsed(path, raw, date.fromisoformat, "an ISO 8601 date")
    if kind == "uuid":
        return str(_parsed(path, raw, uuid.UUID, "a UUID"))
    if kind == "boolean" and isinstance(raw, bool):
        return raw
    if kind == "integer" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind == "number" and isinstance(raw, int | float) and not isinstance(raw, bool):
        return raw
    if kind == "string" and isinstance(raw, str):
        if spec.values is not None and raw not in spec.values:
            raise RuleError(path, f"{spec.name} is one of {', '.join(spec.values)}")
        return raw
    raise RuleError(path, f"{spec.name} takes a {kind} value")


def _parsed(path: str, raw: Any, parser: Any, what: str) -> Any:
    if not isinstance(raw, str):
        raise RuleError(path, f"expected {what}")
    try:
        value = parser(raw)
    except ValueError as exc:
        raise RuleError(path, f"expected {what}") from exc
    if isinstance(value, datetime) and value.tzinfo is None:
        raise RuleError(path, f"expected {what}")
    return value


def fields_of(condition: Condition | None) -> set[str]:
    """The names of the fields `condition` reads."""
    if condition is None:
        return set()
    if isinstance(condition, Compare):
        return {condition.field.name}
    if isinstance(condition, Not):
        return fields_of(condition.item)
    return set().union(*(fields_of(item) for item in condition.items))


def explain(
    condition: Condition | None, facts: Mapping[str, Any], now: datetime
) -> tuple[bool, list[str]]:
    """Whether `condition` holds over `facts` (field name to value) at `now`, and the
    comparisons that made it hold."""
    if condition is None:
        return True, ["no conditions"]
    if isinstance(condition, Compare):
        held = _holds(condition, facts.get(condition.field.name), now)
        return held, [_describe(condition, facts.get(condition.field.name))] if held else []
    if isinstance(condition, Not):
        held, _ = explain(condition.item, facts, now)
        return not held, [] if held else ["not: " + _summary(condition.item)]
    outcomes = [explain(item, facts, now) for item in condition.items]
    if isinstance(condition, AllOf):
        if all(held for held, _ in outcomes):
            return True, [reason for _, reasons in outcomes for reason in reasons]
        return False, []
    for held, reasons in outcomes:
        if held:
            return True, reasons
    return False, []


def _holds(condition: Compare, actual: Any, now: datetime) -> bool:
    op, expected = condition.op, _resolved(condition.value, condition.field.type, now)
    if op == "exists":
        return (actual is not None) is expected
    if actual is None:
        return (op == "eq" and expected is None) or (op == "ne" and expected is not None)
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if op == "in":
        return bool(actual in expected)
    if op == "notIn":
        return bool(actual not in expected)
    if op == "contains":
        return isinstance(actual, Sequence) and expected in actual
    compared = {"lt": actual < expected, "lte": actual <= expected}
    compared.update(gt=actual > expected, gte=actual >= expected)
    return bool(compared[op])


def _resolved(value: Any, kind: str, now: datetime) -> Any:
    if isinstance(value, RelativeDays):
        moment = now + timedelta(days=value.days)
        return moment.date() if kind == "date" else moment
    return value


def _describe(condition: Compare, actual: Any) -> str:
    return f"{_summary(condition)} (was {_shown(actual)})"


def _summary(condition: Condition) -> str:
    if isinstance(condition, Compare):
        return f"{condition.field.name} {condition.op} {_shown(condition.value)}"
    if isinstance(condition, Not):
        return f"not ({_summary(condition.item)})"
    joiner = " and " if isinstance(condition, AllOf) else " or "
    return "(" + joiner.join(_summary(item) for item in condition.items) + ")"


def _shown(value: Any) -> str:
    if isinstance(value, RelativeDays):
        return f"{value.days:+d} days from the event"
    if isinstance(value, tuple):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return repr(value)
