"""What training does when its events arrive: a badge is announced to its customer; a
completion and a substitution reach the feed of the customer's coaches (a category each coach
can mute); a substitution put back by someone else is announced to the customer. Dedupe keys
name the fact told, so a redelivered event or a repeated fact tells nobody twice."""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.customers.service import customers_service
from fitcoach.models.enums import NotificationCategory
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.training.completion.metrics import LogStatus, SubjectType
from fitcoach.training.events import (
    BadgeAwarded,
    PlanItemCompleted,
    SubstitutionApplied,
    SubstitutionReverted,
)
from fitcoach.users.service import user_service
from fitcoach.worker.events import DomainEvent
from fitcoach.worker.registry import on_event

_WHAT = {
    SubjectType.strength: "a workout",
    SubjectType.cardio: "a workout",
    SubjectType.meal: "a meal",
    SubjectType.habit: "a habit",
}


async def _tell_coaches(
    session: AsyncSession, event: DomainEvent, customer_id: uuid.UUID, request: NotificationRequest
) -> None:
    """`request` (addressed to the customer) told to each coach looking after them instead."""
    for coach_id in await customers_service.coach_ids_of(session, customer_id):
        await notification_service.notify(
            session, replace(request, user_id=coach_id), event.occurred_at
        )


async def _name_of(session: AsyncSession, user_id: uuid.UUID) -> str:
    return (await user_service.get(session, user_id)).name


@on_event(BadgeAwarded, name="training.announce_badge")
async def announce_badge(session: AsyncSession, event: BadgeAwarded) -> None:
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=event.customer_id,
            category=NotificationCategory.training,
            title=f"New badge: {event.name}",
            body=f"You earned the {event.name} badge. Keep it up!",
            data={"badge": event.badge},
            dedupe_key=f"training.badge:{event.badge}",
        ),
        event.occurred_at,
    )


@on_event(PlanItemCompleted, name="training.feed_completion")
async def feed_completion(session: AsyncSession, event: PlanItemCompleted) -> None:
    """Completed and skipped items; an undo (back to pending) is no news."""
    status = LogStatus(event.status)
    if status is LogStatus.pending:
        return
    name = await _name_of(session, event.customer_id)
    what = _WHAT[SubjectType(event.subject_type)]
    await _tell_coaches(
        session,
        event,
        event.customer_id,
        NotificationRequest(
            user_id=event.customer_id,
            category=NotificationCategory.client_activity,
            title=f"{name} {status.value} {what}",
            body=f"{name} {status.value} {what} of their plan on {event.local_date:%A %d %B}.",
            data={
                "customerId": str(event.customer_id),
                "planId": str(event.plan_id) if event.plan_id else None,
                "itemId": event.subject_id,
                "date": event.local_date.isoformat(),
                "status": status.value,
            },
            dedupe_key=(
                f"training.item:{event.customer_id}:{event.subject_id}:"
                f"{event.local_date.isoformat()}:{status.value}"
            ),
        ),
    )


@on_event(SubstitutionApplied, name="training.feed_substitution")
async def feed_substitution(session: AsyncSession, event: SubstitutionApplied) -> None:
    name = await _name_of(session, event.customer_id)
    await _tell_coaches(
        session,
        event,
        event.customer_id,
        NotificationRequest(
            user_id=event.customer_id,
            category=NotificationCategory.client_activity,
            title=f"{name} swapped {event.original} for {event.exercise}",
            body=f"Their reason: {event.reason}. You can put {event.original} back.",
            data={
                "customerId": str(event.customer_id),
                "planId": str(event.plan_id),
                "itemId": str(event.item_id),
                "substitutionId": event.subject_id,
            },
            dedupe_key=f"{event.type}:{event.id}",
        ),
    )


@on_event(SubstitutionReverted, name="training.announce_reverted_substitution")
async def announce_reverted_substitution(
    session: AsyncSession, event: SubstitutionReverted
) -> None:
    """Only when someone else (a coach, an admin) put it back: the customer knows their own."""
    if event.actor_id == event.customer_id:
        return
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=event.customer_id,
            category=NotificationCategory.training,
            title="Your plan's exercise is back",
            body="Your coach put back the exercise of your plan in place of your substitution.",
            data={"planId": str(event.plan_id), "itemId": str(event.item_id)},
            dedupe_key=f"{event.type}:{event.id}",
        ),
        event.occurred_at,
    )
