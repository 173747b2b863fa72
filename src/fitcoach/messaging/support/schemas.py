"""Requests and answers of support tickets and the support policy."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import label
from fitcoach.messaging.support.hours import WEEKDAYS, Priority, SupportPolicy, Targets
from fitcoach.messaging.support.service import (
    ReplyDraft,
    TicketDraft,
    TicketStatus,
    TicketView,
)
from fitcoach.models import SupportReply

SUBJECT_MAX = 120
DESCRIPTION_MAX = 8_000
REPLY_MAX = 8_000
MAX_ATTACHMENTS = 10
# Two weeks of round-the-clock work: a budget past that is a typo.
MAX_BUDGET_MINUTES = 14 * 24 * 60

_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_ATTACHMENTS_DOC = "Ids of files you uploaded that passed their scan and are not sent yet"


class TicketIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "subject": "Cannot see my plan",
                    "description": "Since this morning the app shows an empty week.",
                    "priority": "high",
                    "attachments": [],
                }
            ]
        }
    )

    subject: Annotated[str, label(SUBJECT_MAX)]
    description: Annotated[str, label(DESCRIPTION_MAX)]
    priority: Priority = Field(description="Sets the deadlines' budgets")
    attachments: list[uuid.UUID] = Field(
        default_factory=list, max_length=MAX_ATTACHMENTS, description=_ATTACHMENTS_DOC
    )

    never_null = frozenset({"attachments"})

    def to_draft(self) -> TicketDraft:
        return TicketDraft(
            subject=self.subject,
            description=self.description,
            priority=self.priority,
            attachments=list(dict.fromkeys(self.attachments)),
        )


class TicketReplyIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"body": "It is back, thank you!", "attachments": []}]}
    )

    body: Annotated[str, label(REPLY_MAX)]
    attachments: list[uuid.UUID] = Field(
        default_factory=list, max_length=MAX_ATTACHMENTS, description=_ATTACHMENTS_DOC
    )

    never_null = frozenset({"attachments"})

    def to_draft(self) -> ReplyDraft:
        return ReplyDraft(body=self.body, attachments=list(dict.fromkeys(self.attachments)))


class TicketStatusIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "pending_customer"}]})

    status: TicketStatus = Field(
        description="Support staff: pending_customer (stops the clock), open, resolved, closed, "
        "reopened; the requester: closed, or reopened once resolved"
    )


class AgentAvailabilityIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"available": False}]})

    available: bool = Field(strict=True, description="Whether new tickets may be assigned to you")


class WorkingSpan(StrictApiModel):
    start: Annotated[str, StringConstraints(pattern=_CLOCK)] = Field(description="HH:MM local")
    end: Annotated[str, StringConstraints(pattern=_CLOCK)] = Field(
        description="HH:MM local, after start"
    )

    @model_validator(mode="after")
    def _ordered(self) -> WorkingSpan:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class PriorityTargetsIn(StrictApiModel):
    first_response_minutes: int = Field(strict=True, ge=1, le=MAX_BUDGET_MINUTES)
    resolution_minutes: int = Field(strict=True, ge=1, le=MAX_BUDGET_MINUTES)

    @model_validator(mode="after")
    def _ordered(self) -> PriorityTargetsIn:
        if self.resolution_minutes < self.first_response_minutes:
            raise ValueError("resolutionMinutes must not be less than firstResponseMinutes")
        return self


class SupportTargetsIn(StrictApiModel):
    """Every priority's budgets: each is required, so the schema itself says a policy names
    them all."""

    low: PriorityTargetsIn
    normal: PriorityTargetsIn
    high: PriorityTargetsIn
    urgent: PriorityTargetsIn

    def by_priority(self) -> dict[Priority, PriorityTargetsIn]:
        return {priority: getattr(self, priority.value) for priority in Priority}


class SupportPolicyIn(StrictApiModel):
    """Deadlines count working minutes: those of `workingHours` (local to `timeZone`) on days
    that are not `holidays`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "timeZone": "Africa/Cairo",
                    "workingHours": {
                        day: {"start": "09:00", "end": "17:00"}
                        for day in ("sunday", "monday", "tuesday", "wednesday", "thursday")
                    },
                    "holidays": ["2027-01-07"],
                    "targets": {
                        "urgent": {"firstResponseMinutes": 60, "resolutionMinutes": 480},
                        "high": {"firstResponseMinutes": 240, "resolutionMinutes": 960},
                        "normal": {"firstResponseMinutes": 480, "resolutionMinutes": 2400},
                        "low": {"firstResponseMinutes": 960, "resolutionMinutes": 4800},
                    },
                }
            ]
        }
    )

    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="IANA name, e.g. Africa/Cairo"
    )
    working_hours: dict[Weekday, WorkingSpan] = Field(
        min_length=1, description="Worked weekdays and their hours; a day left out is not worked"
    )
    holidays: list[date] = Field(default_factory=list, max_length=366)
    targets: SupportTargetsIn = Field(description="Every priority's budgets, in working minutes")

    never_null = frozenset({"holidays"})

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                "timeZone must be an IANA time zone name such as Africa/Cairo"
            ) from exc
        return value

    def to_policy(self) -> SupportPolicy:
        return SupportPolicy(
            time_zone=self.time_zone,
            hours={
                WEEKDAYS.index(day): (time.fromisoformat(span.start), time.fromisoformat(span.end))
                for day, span in self.working_hours.items()
            },
            holidays=frozenset(self.holidays),
            targets={
                priority: Targets(one.first_response_minutes, one.resolution_minutes)
                for priority, one in self.targets.by_priority().items()
            },
        )


class TicketPersonOut(ApiModel):
    id: uuid.UUID
    name: str


class SlaDeadlineOut(ApiModel):
    first_response_due_at: datetime | None = Field(
        description="When a reply by support is due; null once given, or while the clock is stopped"
    )
    resolution_due_at: datetime | None = Field(
        description="When the ticket must be resolved; null while the clock is stopped"
    )
    paused: bool = Field(description="True while the ticket waits for its customer")
    time_zone: str = Field(description="The business's zone the deadlines were counted in")


class TicketReplyOut(ApiModel):
    id: uuid.UUID
    author: TicketPersonOut
    body: str
    attachments: list[uuid.UUID]
    sent_at: datetime


class TicketOut(ApiModel):
    id: uuid.UUID
    subject: str
    description: str
    priority: Priority
    status: TicketStatus
    requester: TicketPersonOut
    assigned_agent: TicketPersonOut | None = Field(description="null while no agent is assigned")
    sla_deadline: SlaDeadlineOut
    first_responded_at: datetime | None
    resolved_at: datetime | None
    attachments: list[uuid.UUID]
    created_at: datetime

    @classmethod
    def of(cls, view: TicketView) -> TicketOut:
        ticket = view.ticket
        agent = ticket.agent_id
        return cls(
            id=ticket.id,
            subject=ticket.subject,
            description=ticket.description,
            priority=Priority(ticket.priority),
            status=TicketStatus(ticket.status),
            requester=TicketPersonOut(id=ticket.requester_id, name=view.names[ticket.requester_id]),
            assigned_agent=TicketPersonOut(id=agent, name=view.names[agent]) if agent else None,
            sla_deadline=SlaDeadlineOut(
                first_response_due_at=None
                if ticket.first_responded_at
                else ticket.first_response_due_at,
                resolution_due_at=ticket.resolution_due_at,
                paused=ticket.paused_at is not None,
                time_zone=ticket.time_zone,
            ),
            first_responded_at=ticket.first_responded_at,
            resolved_at=ticket.resolved_at,
            attachments=[uuid.UUID(one) for one in ticket.attachments],
            created_at=ticket.created_at,
        )


class TicketDetailOut(TicketOut):
    replies: list[TicketReplyOut]

    @classmethod
    def detail(cls, view: TicketView) -> TicketDetailOut:
        return cls(
            **TicketOut.of(view).model_dump(),
            replies=[_reply(one, view.names) for one in view.replies or []],
        )


def _reply(reply: SupportReply, names: dict[uuid.UUID, str]) -> TicketReplyOut:
    return TicketReplyOut(
        id=reply.id,
        author=TicketPersonOut(id=reply.author_id, name=names[reply.author_id]),
        body=reply.body,
        attachments=[uuid.UUID(one) for one in reply.attachments],
        sent_at=reply.created_at,
    )
