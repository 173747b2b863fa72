"""Logging a plan item or habit for a local day: completed, skipped, or back to pending (the
same day only). A change records `PlanItemCompleted` and moves the streak in the same
transaction; repeating the same request changes nothing, records nothing and moves no streak."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import Actor, Exercise, ItemLog, PlanItem
from fitcoach.models.enums import PlanType
from fitcoach.training.completion.metrics import LogStatus, SubjectType, validated_metrics
from fitcoach.training.events import PlanItemCompleted
from fitcoach.training.exceptions import (
    FutureDay,
    HabitNotFound,
    ItemNotInPlan,
    NotScheduledThatDay,
    NotTheSubstitution,
    PlanNotFollowed,
    UndoOnlySameDay,
)
from fitcoach.training.exercises.rules import MovementPattern
from fitcoach.training.exercises.service import exercises_service
from fitcoach.training.logs.repository import logs_repository
from fitcoach.training.schedules.days import items_on
from fitcoach.training.schedules.repository import FollowedPlan
from fitcoach.training.schedules.service import schedules_service
from fitcoach.training.streaks.service import streaks_service
from fitcoach.training.substitutions.service import substitutions_service
from fitcoach.training.timezones import local_date
from fitcoach.worker.events import record_event


@dataclass(frozen=True)
class CompletionEntry:
    """What the customer says about the day: its status and, when done, how it went."""

    status: LogStatus
    date: date | None  # None: the customer's local today
    substitution_id: uuid.UUID | None = None
    feedback: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CompletionCommand:
    plan_id: uuid.UUID | None  # None: item_id is a habit of the customer's own
    item_id: uuid.UUID
    entry: CompletionEntry


@dataclass(frozen=True)
class Subject:
    type: SubjectType
    habit_unit: str | None = None


@dataclass(frozen=True)
class CompletionResult:
    subject_type: SubjectType
    log: ItemLog | None
    local_date: date
    timezone: str
    streak: int


def subject_type_of(plan_type: str, exercise: Exercise | None) -> SubjectType:
    """A diet item is a meal; a training item is cardio when its library exercise is."""
    if plan_type == PlanType.diet:
        return SubjectType.meal
    if exercise is not None and exercise.movement_pattern == MovementPattern.cardio:
        return SubjectType.cardio
    return SubjectType.strength


async def item_type(session: AsyncSession, plan_type: str, item: PlanItem) -> SubjectType:
    found = await exercises_service.by_names(session, [item.exercise] if item.exercise else [])
    return subject_type_of(plan_type, found.get((item.exercise or "").lower()))


class CompletionService:
    async def log(
        self, session: AsyncSession, customer: Actor, command: CompletionCommand, now: datetime
    ) -> CompletionResult:
        entry = command.entry
        timezone = await schedules_service.timezone_of(session, customer.id)
        today = local_date(now, timezone)
        day = entry.date or today
        if day > today:
            raise FutureDay()
        # Every followed plan, read once: the streak's recomputation needs them all.
        followed: list[FollowedPlan] | None = None
        if command.plan_id is None:
            subject = await self._own_habit(session, customer, command.item_id)
        else:
            followed = await schedules_service.followed_by(session, customer.id)
            this_plan = [one for one in followed if one.plan.id == command.plan_id]
            if not this_plan:
                raise PlanNotFollowed()
            subject = await self._subject(session, (customer, this_plan[0]), command, day)
        streak = await streaks_service.lock(session, customer.id, now)
        existing = (await logs_repository.on_day(session, customer.id, day)).get(command.item_id)
        log: ItemLog | None = None
        if entry.status is LogStatus.pending:
            if existing is not None and day != today:
                raise UndoOnlySameDay()
            if existing is not None:
                await logs_repository.remove(session, existing)
            changed = existing is not None
        else:
            draft = ItemLog(
                customer_id=customer.id,
                plan_id=command.plan_id,
                subject_id=command.item_id,
                subject_type=subject.type.value,
                local_date=day,
                status=entry.status.value,
                metrics=validated_metrics(subject.type, entry.metrics, subject.habit_unit),
                feedback=entry.feedback,
                logged_at=now,
                timezone=timezone,
                created_at=now,
                updated_at=now,
            )
            changed, log = await self._record(session, existing, draft)
        if changed:
            event = PlanItemCompleted(
                occurred_at=now,
                actor_id=customer.id,
                subject_type=subject.type.value,
                subject_id=str(command.item_id),
                customer_id=customer.id,
                plan_id=command.plan_id,
                local_date=day,
                status=entry.status.value,
            )
            record_event(session, event)
            await streaks_service.on_plan_item_completed(session, streak, event, followed)
        return CompletionResult(subject.type, log, day, timezone, streak.current)

    async def _record(
        self, session: AsyncSession, existing: ItemLog | None, draft: ItemLog
    ) -> tuple[bool, ItemLog]:
        """The day's log of the subject as `draft` says, and whether that changed anything."""
        if existing is None:
            logs_repository.add(session, draft)
            await session.flush()
            return True, draft
        same = (existing.status, existing.metrics, existing.feedback) == (
            draft.status,
            draft.metrics,
            draft.feedback,
        )
        if not same:
            existing.status, existing.metrics = draft.status, draft.metrics
            existing.feedback = draft.feedback
            existing.logged_at = existing.updated_at = draft.logged_at
            await session.flush()
        return not same, existing

    async def _own_habit(
        self, session: AsyncSession, customer: Actor, habit_id: uuid.UUID
    ) -> Subject:
        habits = await schedules_service.customer_habits(session, customer.id)
        habit = next((one for one in habits if one.id == habit_id), None)
        if habit is None:
            raise HabitNotFound()
        return Subject(SubjectType.habit, habit.unit)

    async def _subject(
        self,
        session: AsyncSession,
        whose: tuple[Actor, FollowedPlan],
        command: CompletionCommand,
        day: date,
    ) -> Subject:
        """What is logged: a habit, or a scheduled item as done (its substitute, if any)."""
        customer, followed = whose
        subject_id = command.item_id
        for habit in followed.habits:
            if habit.id == subject_id:
                return Subject(SubjectType.habit, habit.unit)
        item = next((one for one in followed.plan.items if one.id == subject_id), None)
        if item is None:
            raise ItemNotInPlan()
        if item not in items_on(followed, day):
            raise NotScheduledThatDay()
        swaps = await substitutions_service.of_items(session, customer.id, [item.id])
        swap = swaps.get(item.id)
        given = command.entry.substitution_id
        if given is not None and (swap is None or swap[0].id != given):
            raise NotTheSubstitution()
        if swap is not None:
            return Subject(subject_type_of(followed.plan.type, swap[1]))
        return Subject(await item_type(session, followed.plan.type, item))


completion_service = CompletionService()
