"""The customer is told of every change of their paid subscription, each renewal, each failed
renewal (the dunning notices, by e-mail and push as their preferences allow) and its end. Each
notification's dedupe key is its event's id: a redelivered event never notifies twice."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.commerce.billing.events import (
    RenewalFailed,
    SubscriptionChanged,
    SubscriptionEnded,
    SubscriptionRenewed,
)
from fitcoach.models.enums import NotificationCategory
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.worker.events import DomainEvent
from fitcoach.worker.registry import on_event

_CHANGED = {
    "upgrade": "Your subscription was upgraded",
    "downgrade": "Your subscription will be downgraded",
    "pause": "Your subscription pause is scheduled",
    "resume": "Your subscription is running again",
    "cancel": "Your subscription was canceled",
    "withdraw": "Your subscription continues as it is",
}


async def _tell(
    session: AsyncSession,
    event: DomainEvent,
    user_id: uuid.UUID,
    title: str,
    body: str,
    category: NotificationCategory = NotificationCategory.subscription,
) -> None:
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=user_id,
            category=category,
            title=title,
            body=body,
            data={"subscriptionId": event.subject_id},
            dedupe_key=f"{event.type}:{event.id}",
        ),
        event.occurred_at,
    )


# An upgrade for a later day is announced when scheduled, and again when it applies.
_SCHEDULED = {"upgrade": "Your subscription upgrade is scheduled"}


@on_event(SubscriptionChanged, name="commerce.notify_subscription_changed")
async def notify_changed(session: AsyncSession, event: SubscriptionChanged) -> None:
    titles = _SCHEDULED if event.effective_at > event.occurred_at else _CHANGED
    await _tell(
        session,
        event,
        event.user_id,
        titles.get(event.action) or _CHANGED.get(event.action, "Your subscription changed"),
        f"From {event.effective_at:%d %B %Y}; your period now ends on {event.ends_at:%d %B %Y}.",
    )


@on_event(SubscriptionRenewed, name="commerce.notify_subscription_renewed")
async def notify_renewed(session: AsyncSession, event: SubscriptionRenewed) -> None:
    await _tell(
        session,
        event,
        event.user_id,
        "Your subscription was renewed",
        f"We charged {event.amount_minor / 100:.2f} {event.currency}; your subscription runs "
        f"until {event.ends_at:%d %B %Y}.",
    )


@on_event(RenewalFailed, name="commerce.notify_renewal_failed")
async def notify_renewal_failed(session: AsyncSession, event: RenewalFailed) -> None:
    then = (
        f"We will try again on {event.next_attempt_at:%d %B %Y}; update your payment method to "
        "keep your subscription."
        if event.next_attempt_at is not None
        else "Your subscription has expired."
    )
    await _tell(
        session,
        event,
        event.user_id,
        "Your subscription payment failed",
        f"{event.reason} {then}",
        # The customer must act, like on their account's security: e-mail too by default.
        NotificationCategory.account,
    )


@on_event(SubscriptionEnded, name="commerce.notify_subscription_ended")
async def notify_ended(session: AsyncSession, event: SubscriptionEnded) -> None:
    await _tell(
        session,
        event,
        event.user_id,
        "Your subscription has ended",
        "You are back on the free plans. Subscribe again to keep your coaching.",
        NotificationCategory.account,
    )
