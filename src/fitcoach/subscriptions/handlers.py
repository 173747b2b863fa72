"""What the subscriptions domain does when its events arrive: the customer is told, in the
inbox, by push and on the live stream. Each notification's dedupe key is its event's id, so a
redelivered event never notifies twice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models.enums import NotificationCategory
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.subscriptions.events import FreeDaysChanged, SubscriptionGranted
from fitcoach.worker.registry import on_event


@on_event(SubscriptionGranted, name="subscriptions.notify_granted")
async def notify_granted(session: AsyncSession, event: SubscriptionGranted) -> None:
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=event.user_id,
            category=NotificationCategory.subscription,
            title="Your subscription is active",
            body=f"You have been given {event.days} days of subscription, until "
            f"{event.ends_at:%d %B %Y}.",
            data={"subscriptionId": event.subject_id, "days": event.days},
            dedupe_key=f"{event.type}:{event.id}",
        ),
        event.occurred_at,
    )


@on_event(FreeDaysChanged, name="subscriptions.notify_free_days_changed")
async def notify_free_days_changed(session: AsyncSession, event: FreeDaysChanged) -> None:
    await notification_service.notify(
        session,
        NotificationRequest(
            user_id=event.user_id,
            category=NotificationCategory.subscription,
            title="Your free trial has changed",
            body=f"Your free trial now lasts {event.free_days} days, until "
            f"{event.ends_at:%d %B %Y}.",
            data={"subscriptionId": event.subject_id, "freeDays": event.free_days},
            dedupe_key=f"{event.type}:{event.id}",
        ),
        event.occurred_at,
    )
