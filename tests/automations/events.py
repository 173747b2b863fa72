"""Event types the automation tests record: on main no domain records an outbox event yet, and
the catalog must list whatever event classes are loaded, these included."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, Literal

from fastapi import FastAPI

from fitcoach.worker.events import DomainEvent, record_event


class WorkoutLogged(DomainEvent):
    """A customer logged a workout."""

    type: ClassVar[str] = "tests.automations.workout_logged"

    customer_id: uuid.UUID
    status: Literal["completed", "skipped"]
    minutes: int
    note: str | None = None


class ServerRestarted(DomainEvent):
    """Something that concerns no customer."""

    type: ClassVar[str] = "tests.automations.server_restarted"

    reason: str


WORKOUT = WorkoutLogged.type


async def log_workout(
    app: FastAPI, customer_id: uuid.UUID, at: datetime, **payload: Any
) -> WorkoutLogged:
    """Commit a WorkoutLogged event at `at`."""
    event = WorkoutLogged(
        occurred_at=at,
        actor_id=customer_id,
        subject_type="customer",
        subject_id=str(customer_id),
        customer_id=customer_id,
        status=payload.pop("status", "completed"),
        minutes=payload.pop("minutes", 30),
        **payload,
    )
    async with app.state.sessionmaker() as session, session.begin():
        record_event(session, event)
    return event


def rule(**overrides: Any) -> dict[str, Any]:
    """A valid automation body on WorkoutLogged."""
    body: dict[str, Any] = {
        "name": "Nudge after a skipped workout",
        "trigger": {"event": WORKOUT},
        "conditions": {
            "all": [
                {"field": "event.status", "op": "eq", "value": "skipped"},
                {"field": "customer.age", "op": "gte", "value": 30},
            ]
        },
        "actions": [
            {"type": "notify", "title": "Missed you", "body": "Tomorrow then, {{customer.name}}?"},
            {"type": "tag", "tag": "skipper"},
        ],
        "status": "active",
        "frequencyCap": {"maxRuns": 1, "perHours": 24},
    }
    body.update(overrides)
    return body
