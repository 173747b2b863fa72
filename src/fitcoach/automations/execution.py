"""Automations on live events, in the workers: every event reaches one catch-all handler, which
runs each active automation of its type once (the worker's processed-events row, and a run row
unique per automation and event, make a redelivery do nothing), behind the loop guard and the
per-customer frequency cap, and records the run. The relay hands it only the events of types
some active automation is triggered by: the others cost nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.automations.actions import (
    call_webhook,
    grant_freezes,
    offer_promo,
    send_coach_messages,
)
from fitcoach.automations.evaluation import customer_of, judge, too_deep
from fitcoach.automations.events import CustomerTagged
from fitcoach.automations.exceptions import InvalidRule
from fitcoach.automations.repository import automations_repository, utc
from fitcoach.automations.rules import Action, render
from fitcoach.automations.service import compiled
from fitcoach.automations.simulation import FREQUENCY_CAP, LOOP_GUARD
from fitcoach.models import Automation, AutomationRun, CoachTask
from fitcoach.models.enums import NotificationCategory
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.worker.events import DomainEvent, cause_depth, record_event
from fitcoach.worker.registry import on_event
from fitcoach.worker.runtime import runtime_of

PERFORMED = "performed"
INVALID = "invalid"


@on_event(None, name="automations.run", selects=automations_repository.active_triggers)
async def run_automations(session: AsyncSession, event: DomainEvent) -> None:
    automations = await automations_repository.active_for(session, event.type)
    if not automations:
        return
    runtime = runtime_of(session)
    now = runtime.now() if runtime is not None else datetime.now(UTC)
    customer_id = customer_of(event)
    facts = {}
    if customer_id is not None:
        await automations_repository.lock_customer(session, customer_id)
        facts = await automations_repository.customer_facts(session, [customer_id], now)
    for automation in automations:
        if await automations_repository.has_run(session, automation.id, event.id):
            continue
        run = await _run(
            session, automation, event, facts.get(customer_id) if customer_id else None, now
        )
        if run is not None:
            automations_repository.add_run(session, run)
            await session.flush()


async def _run(
    session: AsyncSession,
    automation: Automation,
    event: DomainEvent,
    customer_facts: dict[str, Any] | None,
    now: datetime,
) -> AutomationRun | None:
    customer_id = customer_of(event)
    run = AutomationRun(
        id=uuid.uuid4(),
        automation_id=automation.id,
        event_id=event.id,
        event_type=event.type,
        occurred_at=utc(event.occurred_at),
        customer_id=customer_id,
        reasons=[],
        performed=[],
    )
    try:
        rule = compiled(automation)
    except InvalidRule as exc:
        # The rule was valid when saved; an event class changed since.
        run.outcome, run.reasons = INVALID, [exc.message]
        return run
    verdict = judge(rule, event, customer_facts)
    if not verdict.matched:
        return None
    run.reasons = verdict.reasons
    if too_deep(cause_depth(session) - 1):
        run.outcome = LOOP_GUARD
    elif customer_id is not None and await _capped(session, automation, customer_id, run):
        run.outcome = FREQUENCY_CAP
    else:
        run.outcome = PERFORMED
        run.performed = [
            await _perform(session, action, (automation, event), verdict.facts, now)
            for action in rule.actions
        ]
    return run


async def _capped(
    session: AsyncSession, automation: Automation, customer_id: uuid.UUID, run: AutomationRun
) -> bool:
    since = run.occurred_at - timedelta(hours=automation.cap_hours)
    done = await automations_repository.ran_since(session, automation.id, customer_id, since)
    return done >= automation.cap_runs


async def _perform(
    session: AsyncSession,
    action: Action,
    cause: tuple[Automation, DomainEvent],
    facts: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Do `action` for the event's customer (every action needs one: checked on save)."""
    automation, event = cause
    customer_id = customer_of(event)
    assert customer_id is not None
    params = action.params
    if action.type == "notify":
        notification = await notification_service.notify(
            session,
            NotificationRequest(
                user_id=customer_id,
                category=NotificationCategory(params["category"]),
                title=render(params["title"], facts),
                body=render(params["body"], facts),
                data={"automationId": str(automation.id), "eventId": str(event.id)},
                dedupe_key=f"automation:{automation.id}:{event.id}",
            ),
            now,
        )
        return {"type": "notify", "notificationId": str(notification.id) if notification else None}
    if action.type == "message":
        return await send_coach_messages(session, action, customer_id, facts, now)
    if action.type == "promo":
        return await offer_promo(session, action, cause, customer_id, facts, now)
    if action.type == "webhook":
        return await call_webhook(session, action, cause, now)
    if action.type == "freeze":
        return await grant_freezes(session, action, automation, customer_id, now)
    if action.type == "tag":
        tag = params["tag"]
        added = await automations_repository.add_tag(session, customer_id, tag, automation.id)
        if added:
            record_event(
                session,
                CustomerTagged(
                    occurred_at=now,
                    actor_id=None,
                    subject_type="customer",
                    subject_id=str(customer_id),
                    customer_id=customer_id,
                    tag=tag,
                    automation_id=automation.id,
                ),
            )
        return {"type": "tag", "tag": tag, "added": added}
    due = params.get("dueInDays")
    coaches = await automations_repository.coaches_of(session, customer_id)
    for coach_id in coaches:
        automations_repository.add_task(
            session,
            CoachTask(
                coach_id=coach_id,
                customer_id=customer_id,
                automation_id=automation.id,
                title=render(params["title"], facts),
                due_at=now + timedelta(days=due) if due is not None else None,
            ),
        )
    return {"type": "task", "coachIds": [str(coach_id) for coach_id in coaches]}
