"""Keeping each customer's streak, freezes and badges up to date with their logged days and the
freezes granted them. A completion or a grant recomputes the streak in its own transaction,
under the customer's streak lock: the answer shows the new streak, and a badge is awarded once
however many completions race. Each award records `BadgeAwarded` in that transaction."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import (
    Actor,
    BadgeDefinition,
    CustomerBadge,
    ItemLog,
    Streak,
    StreakFreezeGrant,
    TrainingDay,
)
from fitcoach.models.enums import PlanType
from fitcoach.settings.service import SettingKey, setting_service
from fitcoach.training.events import BadgeAwarded, PlanItemCompleted
from fitcoach.training.exceptions import BadgeCodeTaken
from fitcoach.training.logs.repository import logs_repository
from fitcoach.training.schedules.days import items_on
from fitcoach.training.schedules.repository import FollowedPlan
from fitcoach.training.schedules.service import schedules_service
from fitcoach.training.streaks.rules import (
    BADGE_RULES,
    BadgeRule,
    DayRecord,
    Measure,
    Standing,
    StreakPolicy,
    streak_of,
)
from fitcoach.training.timezones import local_date
from fitcoach.worker.events import record_event

log = structlog.get_logger("fitcoach.streaks")
# How far back a streak is recomputed; a longer one keeps its stored longest.
HISTORY_DAYS = 400


@dataclass(frozen=True)
class Achievements:
    streak: Streak | None
    badges: list[tuple[CustomerBadge, str]]  # with the badge's name
    standing: Standing
    next_badge: BadgeRule | None


@dataclass(frozen=True)
class FreezeGrant:
    """Streak freezes to give a customer, and why (`automation_id`: the automation giving them)."""

    count: int
    reason: str
    automation_id: uuid.UUID | None = None


@dataclass(frozen=True)
class _Recompute:
    """One recomputation of a streak: up to `today`, the customer's local day (or the later day
    a completion was logged on). `logged_on`: that completion's day, kept as it now stands;
    `followed`: the customer's followed plans, when the caller has just read them."""

    today: date
    now: datetime
    logged_on: date | None = None
    followed: list[FollowedPlan] | None = None


def _standing(streak: Streak | None) -> Standing:
    if streak is None:
        return Standing(workouts=0, longest=0, perfect_weeks=0)
    return Standing(streak.workouts, streak.longest, streak.perfect_weeks)


def day_records(
    followed: list[FollowedPlan], logs: list[ItemLog], first: date, last: date
) -> dict[date, DayRecord]:
    done = {(entry.subject_id, entry.local_date) for entry in logs if entry.status == "completed"}
    records: dict[date, DayRecord] = {}
    day = first
    while day <= last:
        workouts = workouts_done = items = items_done = 0
        for plan in followed:
            for item in items_on(plan, day):
                finished = (item.id, day) in done
                items += 1
                items_done += finished
                if plan.plan.type == PlanType.training:
                    workouts += 1
                    workouts_done += finished
        if items:
            records[day] = DayRecord(workouts, workouts_done, items, items_done)
        day += timedelta(days=1)
    return records


class StreaksService:
    async def lock(self, session: AsyncSession, customer_id: uuid.UUID, now: datetime) -> Streak:
        return await logs_repository.locked_streak(session, customer_id, now)

    async def on_plan_item_completed(
        self,
        session: AsyncSession,
        streak: Streak,
        event: PlanItemCompleted,
        followed: list[FollowedPlan] | None = None,
    ) -> list[BadgeAwarded]:
        """Recompute the customer's streak (`streak`, as `lock` gave it in this transaction)
        from their days; award (and record the events of) the badges now reached. `followed`:
        the customer's followed plans, when the caller has just read them in this transaction."""
        now = event.occurred_at
        timezone = await schedules_service.timezone_of(session, event.customer_id)
        today = max(local_date(now, timezone), event.local_date)
        return await self._recompute(
            session, streak, _Recompute(today, now, event.local_date, followed)
        )

    async def grant_freeze(
        self, session: AsyncSession, customer_id: uuid.UUID, grant: FreezeGrant, now: datetime
    ) -> Streak:
        """Give the customer `grant.count` freezes on their local day, and the streak as it now
        stands (its stock at most the policy's `max_freezes`)."""
        streak = await self.lock(session, customer_id, now)
        timezone = await schedules_service.timezone_of(session, customer_id)
        today = local_date(now, timezone)
        logs_repository.add_grant(
            session,
            StreakFreezeGrant(
                customer_id=customer_id,
                local_date=today,
                count=grant.count,
                automation_id=grant.automation_id,
                reason=grant.reason,
            ),
        )
        await session.flush()
        await self._recompute(session, streak, _Recompute(today, now))
        return streak

    async def _recompute(
        self, session: AsyncSession, streak: Streak, job: _Recompute
    ) -> list[BadgeAwarded]:
        """The streak row from the customer's days and grants since the streak's first day (the
        earliest start of a followed plan, within HISTORY_DAYS); the badges it now reaches."""
        customer_id, today, now = streak.customer_id, job.today, job.now
        followed = job.followed
        if followed is None:
            followed = await schedules_service.followed_by(session, customer_id)
        starts = [plan.assignment.start_date for plan in followed]
        first = max(min(starts, default=today), today - timedelta(days=HISTORY_DAYS))
        # A plan that starts later is walked from today: freezes granted meanwhile show now.
        first = min(first, today)
        logs = await logs_repository.since(session, customer_id, first)
        records = day_records(followed, logs, first, today)
        # Read before the logged day is kept: its row, when it has one, is then in the session
        # and keeping it needs no query of its own.
        kept_days = await logs_repository.days_since(session, customer_id, first)
        if job.logged_on is not None:
            await self._keep_day(session, customer_id, job.logged_on, records, now)
        # Days already logged count as they stood; the plan may have changed since.
        for kept in kept_days:
            records[kept.local_date] = DayRecord(
                kept.workouts, kept.workouts_done, kept.items, kept.items_done
            )
        granted = await logs_repository.granted_freezes(session, customer_id, (first, today))
        policy = await self.policy(session)
        state = streak_of(records, (first, today), policy, granted)
        streak.current = state.current
        streak.longest = max(state.longest, streak.longest)
        streak.freezes = state.freezes
        streak.freezes_used = state.freezes_used
        streak.perfect_weeks = state.perfect_weeks
        streak.workouts = await logs_repository.completed_workouts(session, customer_id)
        streak.updated_at = now
        return await self._award(session, streak, now)

    async def _keep_day(
        self,
        session: AsyncSession,
        customer_id: uuid.UUID,
        on: date,
        records: dict[date, DayRecord],
        now: datetime,
    ) -> None:
        record = records.get(on, DayRecord(0, 0, 0, 0))
        day = await logs_repository.day(session, customer_id, on)
        if day is None:
            day = TrainingDay(customer_id=customer_id, local_date=on, created_at=now)
            logs_repository.add_day(session, day)
        day.workouts, day.workouts_done = record.workouts, record.workouts_done
        day.items, day.items_done = record.items, record.items_done
        day.updated_at = now
        await session.flush()

    async def _award(
        self, session: AsyncSession, streak: Streak, now: datetime
    ) -> list[BadgeAwarded]:
        standing = _standing(streak)
        awarded = []
        for rule in await self.badge_rules(session):
            if standing.progress(rule) >= rule.target and await logs_repository.award(
                session, streak.customer_id, rule.code, now
            ):
                event = BadgeAwarded(
                    occurred_at=now,
                    actor_id=streak.customer_id,
                    subject_type="customer",
                    subject_id=str(streak.customer_id),
                    customer_id=streak.customer_id,
                    badge=rule.code,
                    name=rule.name,
                )
                record_event(session, event)
                awarded.append(event)
                log.info("badge_awarded", customer_id=str(streak.customer_id), badge=rule.code)
        return awarded

    async def policy(self, session: AsyncSession) -> StreakPolicy:
        stored = await setting_service.value(session, SettingKey.STREAK_POLICY)
        if stored is None:
            return StreakPolicy()
        values = json.loads(stored)
        return StreakPolicy(
            day_share=values["dayShare"],
            freeze_every=values["freezeEveryDays"],
            max_freezes=values["maxFreezes"],
        )

    async def set_policy(
        self, session: AsyncSession, admin: Actor, policy: StreakPolicy, now: datetime
    ) -> None:
        """Applies from the next recomputation of each customer's streak."""
        value = json.dumps(
            {
                "dayShare": policy.day_share,
                "freezeEveryDays": policy.freeze_every,
                "maxFreezes": policy.max_freezes,
            }
        )
        await setting_service.set(session, SettingKey.STREAK_POLICY, value, admin.id, now)

    async def achievements(self, session: AsyncSession, customer_id: uuid.UUID) -> Achievements:
        """The next badge is the one closest to its target that the customer lacks."""
        streak = await logs_repository.streak(session, customer_id)
        badges = await logs_repository.badges(session, customer_id)
        rules = await self.badge_rules(session)
        names = {rule.code: rule.name for rule in rules}
        standing = _standing(streak)
        held = {badge.badge for badge in badges}
        upcoming = [rule for rule in rules if rule.code not in held]
        upcoming.sort(key=lambda rule: rule.target - standing.progress(rule))
        return Achievements(
            streak=streak,
            badges=[(badge, names.get(badge.badge, badge.badge)) for badge in badges],
            standing=standing,
            next_badge=upcoming[0] if upcoming else None,
        )

    async def badge_rules(self, session: AsyncSession) -> list[BadgeRule]:
        """The built-in badges, then the admins' own."""
        defined = await logs_repository.badge_definitions(session)
        return [
            *BADGE_RULES,
            *(BadgeRule(one.code, one.name, Measure(one.measure), one.target) for one in defined),
        ]

    async def define_badge(
        self, session: AsyncSession, admin: Actor, rule: BadgeRule, now: datetime
    ) -> BadgeDefinition:
        """Customers already past the target earn it at their next completion."""
        if rule.code in {one.code for one in BADGE_RULES} or await logs_repository.badge_code_taken(
            session, rule.code
        ):
            raise BadgeCodeTaken()
        definition = BadgeDefinition(
            code=rule.code,
            name=rule.name,
            measure=rule.measure.value,
            target=rule.target,
            created_by_id=admin.id,
            created_at=now,
            updated_at=now,
        )
        logs_repository.add_definition(session, definition)
        await session.flush()
        return definition


streaks_service = StreaksService()
