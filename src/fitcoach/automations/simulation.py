"""The simulation: the latest events of a rule's trigger, replayed from the outbox (which keeps
every event; nothing prunes it) through its conditions and its frequency cap, oldest first,
performing nothing. It reads and never writes: the customer facts are read as they are now."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.automations.evaluation import customer_of, judge, too_deep
from fitcoach.automations.repository import automations_repository, utc
from fitcoach.automations.rules import CompiledRule
from fitcoach.worker.events import DomainEvent, UnknownEventType, event_of

DEFAULT_SAMPLE_SIZE = 100
MAX_SAMPLE_SIZE = 1000
AFFECTED_SAMPLE = 20
FREQUENCY_CAP = "frequencyCap"
LOOP_GUARD = "loopGuard"


@dataclass(frozen=True)
class Cap:
    runs: int
    hours: int


@dataclass(frozen=True)
class AffectedEntity:
    event_id: uuid.UUID
    event_type: str
    occurred_at: datetime
    customer_id: uuid.UUID | None
    reasons: list[str]
    actions: list[str]
    stopped_by: str | None


@dataclass
class Simulation:
    sample_size: int
    events_replayed: int = 0
    matched: int = 0
    would_run: int = 0
    stopped_by_frequency_cap: int = 0
    stopped_by_loop_guard: int = 0
    actions_by_type: Counter[str] = field(default_factory=Counter)
    customers: set[uuid.UUID] = field(default_factory=set)
    messages_per_day: Counter[date] = field(default_factory=Counter)
    affected: list[AffectedEntity] = field(default_factory=list)


class CapWindow:
    """The frequency cap over runs in time order: at most `runs` per customer in any window of
    `hours` hours."""

    def __init__(self, cap: Cap) -> None:
        self.cap = cap
        self.runs: dict[uuid.UUID, list[datetime]] = defaultdict(list)

    def admits(self, customer_id: uuid.UUID, at: datetime) -> bool:
        since = at - timedelta(hours=self.cap.hours)
        recent = [moment for moment in self.runs[customer_id] if moment > since]
        self.runs[customer_id] = recent
        if len(recent) >= self.cap.runs:
            return False
        recent.append(at)
        return True


async def simulate(
    session: AsyncSession, rule: CompiledRule, cap: Cap, sample_size: int, now: datetime
) -> Simulation:
    rows = await automations_repository.recent_events(session, rule.trigger.event, sample_size)
    events: list[tuple[DomainEvent, int]] = []
    for row in reversed(rows):
        try:
            events.append((event_of(row), row.depth))
        except UnknownEventType:
            continue
    customers = {found for event, _ in events if (found := customer_of(event)) is not None}
    facts = await automations_repository.customer_facts(session, customers, now)
    result = Simulation(sample_size=sample_size, events_replayed=len(events))
    window = CapWindow(cap)
    for event, depth in events:
        customer_id = customer_of(event)
        verdict = judge(rule, event, facts.get(customer_id) if customer_id else None)
        if not verdict.matched:
            continue
        result.matched += 1
        moment = utc(event.occurred_at)
        stopped_by = None
        if too_deep(depth):
            stopped_by = LOOP_GUARD
            result.stopped_by_loop_guard += 1
        elif customer_id is not None and not window.admits(customer_id, moment):
            stopped_by = FREQUENCY_CAP
            result.stopped_by_frequency_cap += 1
        else:
            result.would_run += 1
            if customer_id is not None:
                result.customers.add(customer_id)
            for action in rule.actions:
                result.actions_by_type[action.type] += 1
                if action.sends_message:
                    result.messages_per_day[moment.date()] += 1
        result.affected.append(
            AffectedEntity(
                event_id=event.id,
                event_type=event.type,
                occurred_at=moment,
                customer_id=customer_id,
                reasons=verdict.reasons,
                actions=[] if stopped_by else [action.type for action in rule.actions],
                stopped_by=stopped_by,
            )
        )
    # The newest matches are the sample a reader checks first.
    result.affected = result.affected[::-1][:AFFECTED_SAMPLE]
    return result
