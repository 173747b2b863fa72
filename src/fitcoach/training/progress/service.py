"""Progress entries (the customer, their coach or an admin records and reads them) and the
adherence of a customer's days (their coach and admins)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.customers.service import customers_service
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor, ProgressEntry
from fitcoach.models.enums import PlanType
from fitcoach.training.exceptions import AdherenceRangeInvalid
from fitcoach.training.logs.repository import logs_repository
from fitcoach.training.progress.repository import progress_repository
from fitcoach.training.schedules.days import items_on
from fitcoach.training.schedules.service import schedules_service
from fitcoach.training.timezones import local_date

MAX_ADHERENCE_DAYS = 366
DEFAULT_ADHERENCE_DAYS = 30


@dataclass
class Tally:
    scheduled: int = 0
    completed: int = 0

    def add(self, done: bool) -> None:
        self.scheduled += 1
        self.completed += done

    @property
    def share(self) -> float:
        return round(self.completed / self.scheduled, 4) if self.scheduled else 0.0


@dataclass(frozen=True, kw_only=True)
class EntryDraft:
    """A checked measurement: a value in the kind's unit, or a photo."""

    customer_id: uuid.UUID | None  # None: the actor's own
    kind: str
    value: float | None
    unit: str | None
    site: str | None
    photo_url: str | None
    measured_at: datetime


@dataclass(frozen=True)
class EntryQuery:
    customer_id: uuid.UUID | None
    kind: str | None
    page: PageRequest


@dataclass(frozen=True)
class Adherence:
    start: date
    end: date
    overall: Tally
    days: list[tuple[date, Tally]]
    by_item_type: dict[str, Tally]


class ProgressService:
    async def record(
        self, session: AsyncSession, actor: Actor, body: EntryDraft, now: datetime
    ) -> ProgressEntry:
        customer_id = body.customer_id or actor.id
        await customers_service.profile(session, actor, customer_id, now)  # 404 if not theirs
        entry = ProgressEntry(
            customer_id=customer_id,
            kind=body.kind,
            value=body.value,
            unit=body.unit,
            site=body.site,
            photo_url=body.photo_url,
            measured_at=body.measured_at,
            recorded_by_id=actor.id,
            created_at=now,
            updated_at=now,
        )
        progress_repository.add(session, entry)
        await session.flush()
        return entry

    async def entries(
        self, session: AsyncSession, actor: Actor, query: EntryQuery, now: datetime
    ) -> tuple[list[ProgressEntry], int]:
        customer_id = query.customer_id or actor.id
        await customers_service.profile(session, actor, customer_id, now)
        return await progress_repository.page(session, customer_id, query.kind, query.page)

    async def adherence(
        self,
        session: AsyncSession,
        actor: Actor,
        customer_id: uuid.UUID,
        span: tuple[date | None, date | None],
        now: datetime,
    ) -> Adherence:
        await customers_service.profile(session, actor, customer_id, now)
        timezone = await schedules_service.timezone_of(session, customer_id)
        end = span[1] or local_date(now, timezone)
        start = span[0] or end - timedelta(days=DEFAULT_ADHERENCE_DAYS - 1)
        if start > end or (end - start).days >= MAX_ADHERENCE_DAYS:
            raise AdherenceRangeInvalid(MAX_ADHERENCE_DAYS)
        followed = await schedules_service.followed_by(session, customer_id)
        logs = await logs_repository.since(session, customer_id, start)
        done = {(log.subject_id, log.local_date) for log in logs if log.status == "completed"}
        overall, by_type, days = Tally(), dict[str, Tally](), list[tuple[date, Tally]]()
        day = start
        while day <= end:
            tally = Tally()
            for plan in followed:
                kind = "workout" if plan.plan.type == PlanType.training else "meal"
                started = plan.assignment.start_date <= day
                subjects = [(item.id, kind) for item in items_on(plan, day)]
                subjects += [(habit.id, "habit") for habit in plan.habits] if started else []
                for subject_id, subject_kind in subjects:
                    finished = (subject_id, day) in done
                    for counter in (tally, overall, by_type.setdefault(subject_kind, Tally())):
                        counter.add(finished)
            days.append((day, tally))
            day += timedelta(days=1)
        return Adherence(start, end, overall, days, by_type)


progress_service = ProgressService()
