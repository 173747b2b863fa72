"""Automation rules: saving them (validated against the catalog, every change audited),
reading them with their runs, and simulating them on the real event history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service, changes_between
from fitcoach.automations.exceptions import AutomationNotFound, InvalidRule
from fitcoach.automations.language import RuleError
from fitcoach.automations.repository import automations_repository
from fitcoach.automations.rules import CompiledRule, compile_rule
from fitcoach.automations.simulation import DEFAULT_SAMPLE_SIZE, Cap, Simulation, simulate
from fitcoach.http.pagination import PageRequest
from fitcoach.integrations.webhooks.service import webhooks_service
from fitcoach.models import Actor, Automation, AutomationRun

RESOURCE = "automation"


@dataclass(frozen=True)
class AutomationDraft:
    name: str
    trigger: dict[str, Any]
    conditions: dict[str, Any] | None
    actions: list[dict[str, Any]]
    status: str
    cap: Cap


@dataclass(frozen=True)
class AutomationChanges:
    """A partial update: only the fields in `given` change."""

    given: frozenset[str]
    name: str | None = None
    trigger: dict[str, Any] | None = None
    conditions: dict[str, Any] | None = None
    actions: list[dict[str, Any]] | None = None
    status: str | None = None
    cap: Cap | None = None


@dataclass(frozen=True)
class SavedAutomation:
    automation: Automation
    preview: Simulation


def compiled(automation: Automation) -> CompiledRule:
    """The rule as saved; raises InvalidRule if the catalog no longer allows it (an event class
    removed since)."""
    return _compiled(automation.trigger, automation.conditions, automation.actions)


def _compiled(trigger: Any, conditions: Any, actions: Any) -> CompiledRule:
    try:
        return compile_rule(trigger, conditions, actions)
    except RuleError as exc:
        raise InvalidRule(exc.path, exc.message) from exc


async def _check_references(session: AsyncSession, rule: CompiledRule) -> None:
    """The ids a rule's actions name exist (the rule is otherwise checked without the
    database)."""
    for index, action in enumerate(rule.actions):
        if action.type == "webhook" and not await webhooks_service.exists(
            session, uuid.UUID(action.params["endpointId"])
        ):
            raise InvalidRule(f"actions[{index}].endpointId", "no webhook endpoint has this id")


def cap_of(automation: Automation) -> Cap:
    return Cap(runs=automation.cap_runs, hours=automation.cap_hours)


def _snapshot(automation: Automation) -> dict[str, Any]:
    return {
        "name": automation.name,
        "status": automation.status,
        "trigger": automation.trigger,
        "conditions": automation.conditions,
        "actions": automation.actions,
        "frequencyCap": {"maxRuns": automation.cap_runs, "perHours": automation.cap_hours},
    }


class AutomationsService:
    async def create(
        self, session: AsyncSession, actor: Actor, draft: AutomationDraft, now: datetime
    ) -> SavedAutomation:
        rule = _compiled(draft.trigger, draft.conditions, draft.actions)
        await _check_references(session, rule)
        automation = Automation(
            id=uuid.uuid4(),
            name=draft.name,
            status=draft.status,
            trigger=draft.trigger,
            trigger_event=rule.trigger.event,
            conditions=draft.conditions,
            actions=[{"type": action.type, **action.params} for action in rule.actions],
            cap_runs=draft.cap.runs,
            cap_hours=draft.cap.hours,
            created_by_id=actor.id,
        )
        session.add(automation)
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="automation.created",
                resource_type=RESOURCE,
                resource_id=automation.id,
                changes=changes_between({}, _snapshot(automation)),
            ),
            now,
        )
        preview = await simulate(session, rule, draft.cap, DEFAULT_SAMPLE_SIZE, now)
        return SavedAutomation(automation=automation, preview=preview)

    async def get(self, session: AsyncSession, automation_id: uuid.UUID) -> Automation:
        automation = await automations_repository.get(session, automation_id)
        if automation is None:
            raise AutomationNotFound()
        return automation

    async def page(
        self, session: AsyncSession, page: PageRequest, status: str | None
    ) -> tuple[list[Automation], int]:
        return await automations_repository.page(session, page, status)

    async def update(
        self,
        session: AsyncSession,
        automation_id: uuid.UUID,
        changes: AutomationChanges,
        now: datetime,
    ) -> Automation:
        automation = await self.get(session, automation_id)
        before = _snapshot(automation)
        # A PATCH cannot send these as null (the schema refuses it): None means "unchanged".
        trigger = changes.trigger if changes.trigger is not None else automation.trigger
        conditions = changes.conditions if "conditions" in changes.given else automation.conditions
        actions = changes.actions if changes.actions is not None else automation.actions
        rule = _compiled(trigger, conditions, actions)
        await _check_references(session, rule)
        automation.trigger, automation.trigger_event = trigger, rule.trigger.event
        automation.conditions = conditions
        automation.actions = [{"type": action.type, **action.params} for action in rule.actions]
        if changes.name is not None:
            automation.name = changes.name
        if changes.status is not None:
            automation.status = changes.status
        if changes.cap is not None:
            automation.cap_runs, automation.cap_hours = changes.cap.runs, changes.cap.hours
        changed = changes_between(before, _snapshot(automation))
        if not changed:
            audit_service.record_nothing_changed()
            return automation
        automation.updated_at = now
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="automation.updated",
                resource_type=RESOURCE,
                resource_id=automation.id,
                changes=changed,
            ),
            now,
        )
        return automation

    async def delete(self, session: AsyncSession, automation_id: uuid.UUID, now: datetime) -> None:
        automation = await self.get(session, automation_id)
        audit_service.record(
            session,
            AuditEvent(
                action="automation.deleted",
                resource_type=RESOURCE,
                resource_id=automation.id,
                changes=changes_between(_snapshot(automation), {}),
            ),
            now,
        )
        await session.delete(automation)
        await session.flush()

    async def simulate(
        self, session: AsyncSession, automation_id: uuid.UUID, sample_size: int, now: datetime
    ) -> Simulation:
        automation = await self.get(session, automation_id)
        return await simulate(session, compiled(automation), cap_of(automation), sample_size, now)

    async def runs(
        self, session: AsyncSession, automation_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[AutomationRun], int]:
        await self.get(session, automation_id)
        return await automations_repository.runs(session, automation_id, page)


automations_service = AutomationsService()
