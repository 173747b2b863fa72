"""Reading and writing business settings, with their defaults."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service, changes_between
from fitcoach.models.enums import PlanType
from fitcoach.settings.repository import setting_repository


class SettingKey(StrEnum):
    DEFAULT_FREE_DAYS = "DEFAULT_FREE_DAYS"
    DEFAULT_TRAINING_PLAN_ID = "DEFAULT_TRAINING_PLAN_ID"
    DEFAULT_DIET_PLAN_ID = "DEFAULT_DIET_PLAN_ID"
    # A JSON object: {"dayShare": percent, "freezeEveryDays": n, "maxFreezes": m} (training).
    STREAK_POLICY = "STREAK_POLICY"
    # A JSON object: {"maxPausesPerYear", "minPauseDays", "maxPauseDays", "pauseNoticeHours",
    # "cancelRefund": "prorated" | "none"} (commerce's subscription changes).
    SUBSCRIPTION_POLICY = "SUBSCRIPTION_POLICY"
    # A JSON object: {"claimMinutes": n, "minimumClaimMinutes": m} (scheduling's waitlists).
    WAITLIST_POLICY = "WAITLIST_POLICY"
    # A JSON object: {"reportThreshold": n, "blockedWords": [...], "holdLinks": bool,
    # "allowedLinkDomains": [...]} (community moderation).
    COMMUNITY_POLICY = "COMMUNITY_POLICY"
    # A JSON object: support's time zone, weekly hours, holidays and budgets by priority.
    SUPPORT_POLICY = "SUPPORT_POLICY"


DEFAULT_FREE_DAYS = 7
_DEFAULTS: dict[SettingKey, str | None] = {
    SettingKey.DEFAULT_FREE_DAYS: str(DEFAULT_FREE_DAYS),
    SettingKey.DEFAULT_TRAINING_PLAN_ID: None,
    SettingKey.DEFAULT_DIET_PLAN_ID: None,
    SettingKey.STREAK_POLICY: None,
    SettingKey.SUBSCRIPTION_POLICY: None,
    SettingKey.WAITLIST_POLICY: None,
    SettingKey.COMMUNITY_POLICY: None,
    SettingKey.SUPPORT_POLICY: None,
}
DEFAULT_PLAN_KEYS: dict[PlanType, SettingKey] = {
    PlanType.training: SettingKey.DEFAULT_TRAINING_PLAN_ID,
    PlanType.diet: SettingKey.DEFAULT_DIET_PLAN_ID,
}


_AUDIT_ACTIONS = {
    SettingKey.DEFAULT_FREE_DAYS: "settings.free_days.updated",
    SettingKey.DEFAULT_TRAINING_PLAN_ID: "settings.default_training_plan.updated",
    SettingKey.DEFAULT_DIET_PLAN_ID: "settings.default_diet_plan.updated",
    SettingKey.STREAK_POLICY: "settings.streak_policy.updated",
    SettingKey.SUBSCRIPTION_POLICY: "settings.subscription_policy.updated",
    SettingKey.WAITLIST_POLICY: "settings.waitlist_policy.updated",
    SettingKey.COMMUNITY_POLICY: "settings.community_policy.updated",
    SettingKey.SUPPORT_POLICY: "settings.support_policy.updated",
}


class SettingService:
    async def all(self, session: AsyncSession) -> dict[str, str | None]:
        stored = await setting_repository.all(session)
        return {key.value: stored.get(key.value, default) for key, default in _DEFAULTS.items()}

    async def free_days(self, session: AsyncSession) -> int:
        value = await setting_repository.get(session, SettingKey.DEFAULT_FREE_DAYS)
        return int(value) if value is not None else DEFAULT_FREE_DAYS

    async def value(self, session: AsyncSession, key: SettingKey) -> str | None:
        """The stored value of `key`, or its default."""
        stored = await setting_repository.get(session, key)
        return stored if stored is not None else _DEFAULTS[key]

    async def default_plan_id(self, session: AsyncSession, key: SettingKey) -> uuid.UUID | None:
        value = await setting_repository.get(session, key)
        return uuid.UUID(value) if value else None

    async def default_plan_ids(self, session: AsyncSession) -> dict[PlanType, uuid.UUID]:
        """The configured default plan of each type, read in one query; unset types are absent."""
        stored = await setting_repository.all(session)
        return {
            plan_type: uuid.UUID(stored[key.value])
            for plan_type, key in DEFAULT_PLAN_KEYS.items()
            if stored.get(key.value)
        }

    async def set(
        self, session: AsyncSession, key: SettingKey, value: str, actor_id: uuid.UUID, now: datetime
    ) -> None:
        """Changes of one key apply one after another: its row is created, or locked, before the
        old value is read, so each audit entry starts from the value the previous change left."""
        before: str | None = None
        if not await setting_repository.insert_if_absent(session, key.value, value, actor_id):
            before = await setting_repository.lock_value(session, key.value)
            await setting_repository.update(session, key.value, value, actor_id)
        audit_service.record(
            session,
            AuditEvent(
                action=_AUDIT_ACTIONS[key],
                resource_type="setting",
                resource_id=key.value,
                changes=changes_between({"value": before}, {"value": value}),
            ),
            now,
        )

    async def set_default_plan(
        self,
        session: AsyncSession,
        plan_type: PlanType,
        plan_id: uuid.UUID,
        actor_id: uuid.UUID,
        now: datetime,
    ) -> None:
        await self.set(session, DEFAULT_PLAN_KEYS[plan_type], str(plan_id), actor_id, now)


setting_service = SettingService()
