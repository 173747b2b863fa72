"""notify(): a notification for one user, written in the caller's transaction with one delivery
per channel the user's preferences allow; deduplicated per user by its dedupe key; non-urgent
outbound deliveries wait out the user's quiet hours. And the inbox the user reads it in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.db.session import after_commit
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Delivery, Notification
from fitcoach.models.enums import DeliveryState, NotificationCategory, NotificationChannel
from fitcoach.notifications.delivery import NOWHERE_ERROR, dispatcher_of
from fitcoach.notifications.exceptions import NotificationNotFound
from fitcoach.notifications.preferences import preference_service
from fitcoach.notifications.quiet_hours import quiet_hours_end, zone_of
from fitcoach.notifications.repository import RecipientRow, notification_repository
from fitcoach.stream.service import stream_service

STREAM_KIND = "notification"


@dataclass(frozen=True)
class NotificationRequest:
    """What to tell whom. `dedupe_key` names the event it comes from: the same key for the same
    user is one notification, however often the event is handled."""

    user_id: uuid.UUID
    category: NotificationCategory
    title: str
    body: str
    data: dict[str, Any] = field(default_factory=dict)
    urgent: bool = False
    dedupe_key: str | None = None
    # An iCalendar document (METHOD:REQUEST or CANCEL) the e-mail attaches as an invitation.
    calendar: str | None = None


@dataclass(frozen=True)
class Inbox:
    items: list[Notification]
    total: int
    unread: int


def notification_payload(notification: Notification) -> dict[str, Any]:
    """The notification as the stream carries it (the inbox item's shape)."""
    return {
        "id": str(notification.id),
        "category": notification.category,
        "title": notification.title,
        "body": notification.body,
        "data": notification.data,
        "urgent": notification.urgent,
        "readAt": None,
        "createdAt": notification.created_at.isoformat(),
    }


class NotificationService:
    async def notify(
        self, session: AsyncSession, request: NotificationRequest, now: datetime
    ) -> Notification | None:
        """The new notification, or None when it was a duplicate or its user is gone."""
        user = await notification_repository.recipient(session, request.user_id)
        if user is None:
            return None
        choices = await preference_service.choices(session, request.user_id, user)
        channels = choices.channels_for(request.category)
        notification = await notification_repository.insert_unless_duplicate(
            session,
            {
                "id": uuid.uuid4(),
                "user_id": request.user_id,
                "category": request.category.value,
                "title": request.title,
                "body": request.body,
                "data": request.data,
                "urgent": request.urgent,
                "dedupe_key": request.dedupe_key or uuid.uuid4().hex,
                "in_inbox": NotificationChannel.in_app in channels,
                "calendar": request.calendar,
            },
        )
        if notification is None:
            return None
        quiet_end = None
        if choices.quiet_hours is not None and not request.urgent:
            start, end = choices.quiet_hours
            quiet_end = quiet_hours_end(now, zone_of(user.time_zone), start, end)
        # Due now with nowhere to go: recorded as the delivery attempt would record it, without
        # the attempt's two transactions after the commit.
        nowhere = (
            await self._nowhere(session, request.user_id, user, channels)
            if quiet_end is None
            else frozenset()
        )
        due_now: list[uuid.UUID] = []
        for channel in sorted(channels):
            delivery = self._delivery(notification, channel, now, quiet_end)
            if channel in nowhere:
                _record_nowhere(delivery, now)
            notification_repository.add_delivery(session, delivery)
            if delivery.state == DeliveryState.pending.value and quiet_end is None:
                due_now.append(delivery.id)
        await session.flush()
        if notification.in_inbox:
            # The in-app channel is the inbox and the live stream; it never interrupts, so
            # quiet hours do not hold it back.
            await stream_service.publish(
                session, request.user_id, STREAM_KIND, notification_payload(notification)
            )
        dispatcher = dispatcher_of(session)
        if dispatcher is not None and due_now:
            after_commit(session, lambda: dispatcher.deliver_now(due_now))
        return notification

    async def _nowhere(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        user: RecipientRow,
        channels: frozenset[NotificationChannel],
    ) -> frozenset[NotificationChannel]:
        """The outbound channels the user has no address on (the channels' own NOWHERE: no
        verified phone, no verified e-mail, no device). A blocked user's deliveries go the
        usual way, which refuses them."""
        if user.is_blocked:
            return frozenset()
        nowhere = set()
        if NotificationChannel.sms in channels and not (user.phone and user.phone_verified):
            nowhere.add(NotificationChannel.sms)
        if NotificationChannel.email in channels and not (user.email and user.email_verified):
            nowhere.add(NotificationChannel.email)
        if NotificationChannel.push in channels and not await notification_repository.has_device(
            session, user_id
        ):
            nowhere.add(NotificationChannel.push)
        return frozenset(nowhere)

    def _delivery(
        self,
        notification: Notification,
        channel: NotificationChannel,
        now: datetime,
        quiet_end: datetime | None,
    ) -> Delivery:
        in_app = channel is NotificationChannel.in_app
        return Delivery(
            id=uuid.uuid4(),
            notification_id=notification.id,
            channel=channel.value,
            state=(DeliveryState.sent if in_app else DeliveryState.pending).value,
            due_at=now if in_app or quiet_end is None else quiet_end,
            attempts=1 if in_app else 0,
            sent_at=now if in_app else None,
        )

    async def inbox(
        self, session: AsyncSession, user_id: uuid.UUID, page: PageRequest, unread_only: bool
    ) -> Inbox:
        items, total = await notification_repository.inbox_page(session, user_id, page, unread_only)
        unread = await notification_repository.unread_count(session, user_id)
        return Inbox(items=items, total=total, unread=unread)

    async def mark_read(
        self, session: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID, now: datetime
    ) -> Notification:
        notification = await notification_repository.own_notification(
            session, user_id, notification_id
        )
        if notification is None:
            raise NotificationNotFound()
        if notification.read_at is None:
            notification.read_at = now
            await session.flush()
        return notification

    async def mark_all_read(self, session: AsyncSession, user_id: uuid.UUID, now: datetime) -> int:
        return await notification_repository.mark_all_read(session, user_id, now)


def _record_nowhere(delivery: Delivery, now: datetime) -> None:
    """What a delivery attempt records when its channel answers NOWHERE (delivery._record)."""
    delivery.state = DeliveryState.skipped.value
    delivery.attempts = 1
    delivery.due_at = now
    delivery.last_error = NOWHERE_ERROR


notification_service = NotificationService()
