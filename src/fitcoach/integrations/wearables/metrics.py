"""Provider data normalized to metrics in one unit system: steps (count), heart rate and
resting heart rate (bpm), sleep (seconds, with its stages in seconds), weight (kg), workouts
(duration in seconds, energy in kcal). `source_id` is the provider's own id of the sample, so
a sample sent twice is stored once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from fitcoach.integrations.wearables.exceptions import InvalidWebhookBody

KCAL_PER_KJ = 1 / 4.184
KG_PER_LB = 0.45359237
UNITS = {
    "steps": "count",
    "heart_rate": "bpm",
    "resting_heart_rate": "bpm",
    "sleep": "s",
    "weight": "kg",
    "workout": "s",
}
# What a partner may send each kind in, and the factor to this system's unit.
PARTNER_UNITS: dict[str, dict[str, float]] = {
    "steps": {"count": 1},
    "heart_rate": {"bpm": 1},
    "resting_heart_rate": {"bpm": 1},
    "sleep": {"s": 1, "min": 60, "h": 3600},
    "weight": {"kg": 1, "lb": KG_PER_LB},
    "workout": {"s": 1, "min": 60},
}


@dataclass(frozen=True)
class Metric:
    kind: str
    source_id: str
    value: float
    started_at: datetime
    ended_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        return UNITS[self.kind]


def moment(text: object) -> datetime:
    if not isinstance(text, str):
        raise InvalidWebhookBody()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidWebhookBody() from exc
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def day_start(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(), UTC)


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InvalidWebhookBody()
    return float(value)


def partner_metrics(samples: object) -> list[Metric]:
    """The partner's samples (`{"id", "kind", "value", "unit", "start", "end"?}`)."""
    if not isinstance(samples, list):
        raise InvalidWebhookBody()
    metrics: list[Metric] = []
    for sample in samples:
        if not isinstance(sample, dict):
            raise InvalidWebhookBody()
        factors = PARTNER_UNITS.get(str(sample.get("kind")))
        factor = factors.get(str(sample.get("unit"))) if factors else None
        source_id = sample.get("id")
        if factor is None or not isinstance(source_id, str) or not 0 < len(source_id) <= 160:
            raise InvalidWebhookBody()
        details = sample.get("energyKcal")
        metrics.append(
            Metric(
                kind=str(sample["kind"]),
                source_id=source_id,
                value=round(_number(sample.get("value")) * factor, 3),
                started_at=moment(sample.get("start")),
                ended_at=moment(sample["end"]) if sample.get("end") else None,
                details={"energyKcal": _number(details)} if details is not None else {},
            )
        )
    return metrics


def oura_metrics(data_type: str, document: dict[str, Any]) -> list[Metric]:
    """Oura API v2 documents: daily_activity (steps), sleep (duration, stages, lowest HR)."""
    object_id = str(document["id"])
    if data_type == "daily_activity":
        return [Metric("steps", object_id, _number(document["steps"]), day_start(document["day"]))]
    if data_type == "sleep":
        start, end = moment(document["bedtime_start"]), moment(document["bedtime_end"])
        stages = {
            "deep": document.get("deep_sleep_duration"),
            "light": document.get("light_sleep_duration"),
            "rem": document.get("rem_sleep_duration"),
            "awake": document.get("awake_time"),
        }
        metrics = [
            Metric(
                "sleep",
                object_id,
                _number(document["total_sleep_duration"]),
                start,
                end,
                {"stages": {name: value for name, value in stages.items() if value is not None}},
            )
        ]
        if document.get("lowest_heart_rate") is not None:
            lowest = _number(document["lowest_heart_rate"])
            metrics.append(Metric("resting_heart_rate", object_id, lowest, start, end))
        return metrics
    return []


def whoop_metrics(kind: str, document: dict[str, Any]) -> list[Metric]:
    """Whoop API documents: a workout (duration, kilojoules as kcal, heart rate) or a sleep
    (its stage summary in milliseconds)."""
    object_id = str(document["id"])
    start, end = moment(document["start"]), moment(document["end"])
    score: dict[str, Any] = document.get("score") or {}
    if kind == "workout":
        details: dict[str, Any] = {"sportId": document.get("sport_id")}
        if score.get("kilojoule") is not None:
            details["energyKcal"] = round(_number(score["kilojoule"]) * KCAL_PER_KJ, 1)
        if score.get("average_heart_rate") is not None:
            details["averageHeartRate"] = _number(score["average_heart_rate"])
        duration = (end - start).total_seconds()
        return [Metric("workout", object_id, duration, start, end, details)]
    if kind == "sleep":
        summary: dict[str, Any] = score.get("stage_summary") or {}
        stages = {
            "light": summary.get("total_light_sleep_time_milli", 0) / 1000,
            "deep": summary.get("total_slow_wave_sleep_time_milli", 0) / 1000,
            "rem": summary.get("total_rem_sleep_time_milli", 0) / 1000,
            "awake": summary.get("total_awake_time_milli", 0) / 1000,
        }
        asleep = stages["light"] + stages["deep"] + stages["rem"]
        return [Metric("sleep", object_id, asleep, start, end, {"stages": stages})]
    return []


def fitbit_metrics(collection: str, day: str, document: dict[str, Any]) -> list[Metric]:
    """Fitbit Web API documents (metric units): a day's activity summary (steps, resting heart
    rate) or its weight logs."""
    start = day_start(day)
    if collection == "activities":
        summary: dict[str, Any] = document["summary"]
        metrics = [Metric("steps", f"activities:{day}", _number(summary["steps"]), start)]
        if summary.get("restingHeartRate") is not None:
            resting = _number(summary["restingHeartRate"])
            metrics.append(Metric("resting_heart_rate", f"activities:{day}", resting, start))
        return metrics
    if collection == "body":
        return [
            Metric(
                "weight",
                str(log["logId"]),
                _number(log["weight"]),
                datetime.combine(
                    date.fromisoformat(log["date"]), time.fromisoformat(log["time"]), UTC
                ),
            )
            for log in document.get("weight", [])
        ]
    return []
