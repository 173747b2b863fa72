"""What follows a sent message: each recipient's live stream carries it at once; a recipient
with no stream open is told by a notification (push, by their preferences and quiet hours)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.messaging.threads.events import MessageSent
from fitcoach.models.enums import NotificationCategory
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.stream.broker import broker_of
from fitcoach.stream.service import stream_service
from fitcoach.worker.registry import on_event

STREAM_KIND = "message"


@on_event(MessageSent, name="messaging.deliver_message")
async def deliver_message(session: AsyncSession, event: MessageSent) -> None:
    broker = broker_of(session)
    for user_id in event.recipient_ids:
        await stream_service.publish(session, user_id, STREAM_KIND, event.message)
        if broker is not None and await broker.is_connected(user_id):
            continue
        await notification_service.notify(
            session,
            NotificationRequest(
                user_id=user_id,
                category=NotificationCategory.messages,
                title=f"New message from {event.sender_name}",
                body=event.preview or "New message",
                data={"threadId": str(event.thread_id), "messageId": event.subject_id},
                dedupe_key=f"message:{event.subject_id}",
            ),
            event.occurred_at,
        )
