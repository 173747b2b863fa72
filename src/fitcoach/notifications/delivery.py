"""Sending one delivery: claim it, send it through its channel outside any transaction, record
the outcome (sent; retried later with backoff; failed; skipped when there is nowhere to send)
and remove the devices the push service called gone.

`deliver_notification` is the unit of work a job runner calls; until the worker engine runs it,
the request that created the deliveries runs it after its commit (NotificationDispatcher), and
`deliver_due_notifications` sweeps what is due later (quiet hours' end, retries)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitcoach.core.metrics import NOTIFICATION_DELIVERIES
from fitcoach.models import Delivery, Notification, User
from fitcoach.models.enums import DeliveryState, DeviceKind, NotificationChannel
from fitcoach.notifications.channels import (
    ChannelRejected,
    ChannelUnavailable,
    DeviceTarget,
    OutboundMessage,
    Recipient,
    SendResult,
)
from fitcoach.notifications.providers import NotificationProviders
from fitcoach.notifications.repository import delivery_repository, notification_repository
from fitcoach.worker.jobs import JobContext, recurring

log = structlog.get_logger("fitcoach.notifications")

# Where sessions made by the app's sessionmaker find the dispatcher (create_app puts it there).
DISPATCHER_INFO_KEY = "fitcoach.notification_dispatcher"
# A claimed delivery whose runner died is retried once this has passed.
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
SWEEP_BATCH = 200
NOWHERE_ERROR = "nowhere to send"


def retry_delay(attempts: int) -> timedelta:
    delay: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_RETRY)


async def deliver_notification(
    sessionmaker: async_sessionmaker[AsyncSession],
    providers: NotificationProviders,
    delivery_id: uuid.UUID,
) -> DeliveryState | None:
    """Attempt one delivery if it is due; its state afterwards, or None if it was not due
    (already sent, waiting, or taken by another runner). Safe to call any number of times."""
    now = providers.clock.now()
    async with sessionmaker() as session:
        async with session.begin():
            delivery = await delivery_repository.claim(session, delivery_id, now, now + LEASE)
            if delivery is None:
                return None
            message = await _message_for(session, delivery)
        channel = providers.channels.get(NotificationChannel(delivery.channel))
        result: SendResult | None = None
        error: Exception | None = None
        if message is not None and channel is not None:
            try:
                result = await channel.send(message)
            except (ChannelUnavailable, ChannelRejected) as exc:
                error = exc
        async with session.begin():
            session.add(delivery)
            _record(delivery, result, error, providers.max_attempts, providers.clock.now())
            if result is not None and result.dead_devices:
                await notification_repository.delete_devices(session, result.dead_devices)
        outcome = "retry" if delivery.state == DeliveryState.pending.value else delivery.state
        NOTIFICATION_DELIVERIES.labels(channel=delivery.channel, outcome=outcome).inc()
        log.info(
            "notification_delivery",
            delivery_id=str(delivery.id),
            channel=delivery.channel,
            state=delivery.state,
            attempts=delivery.attempts,
            removed_devices=len(result.dead_devices) if result else 0,
        )
        return DeliveryState(delivery.state)


def _record(
    delivery: Delivery,
    result: SendResult | None,
    error: Exception | None,
    max_attempts: int,
    now: datetime,
) -> None:
    if result is not None:
        delivery.state = (DeliveryState.skipped if result.nowhere else DeliveryState.sent).value
        delivery.sent_at = None if result.nowhere else now
        delivery.last_error = result.detail or (NOWHERE_ERROR if result.nowhere else None)
        return
    if isinstance(error, ChannelUnavailable) and delivery.attempts < max_attempts:
        delivery.due_at = now + retry_delay(delivery.attempts)
        delivery.last_error = str(error)[:300]
        return
    delivery.state = (DeliveryState.failed if error is not None else DeliveryState.skipped).value
    delivery.last_error = str(error)[:300] if error is not None else "no recipient or channel"


async def _message_for(session: AsyncSession, delivery: Delivery) -> OutboundMessage | None:
    notification = await session.get(Notification, delivery.notification_id)
    if notification is None:
        return None
    user = await session.get(User, notification.user_id)
    if user is None or user.is_blocked:
        return None
    devices: tuple[DeviceTarget, ...] = ()
    if delivery.channel == NotificationChannel.push.value:
        devices = tuple(
            DeviceTarget(
                id=device.id,
                kind=DeviceKind(device.kind),
                token=device.token,
                p256dh=device.p256dh,
                auth=device.auth,
            )
            for device in await notification_repository.devices(session, user.id)
        )
    return OutboundMessage(
        notification_id=notification.id,
        category=notification.category,
        title=notification.title,
        body=notification.body,
        data=notification.data,
        calendar=notification.calendar,
        recipient=Recipient(
            user_id=user.id,
            name=user.name,
            phone=user.phone if user.phone_verified else None,
            email=user.email if user.email_verified else None,
            devices=devices,
        ),
    )


async def deliver_due_notifications(
    sessionmaker: async_sessionmaker[AsyncSession], providers: NotificationProviders
) -> int:
    """Attempt every delivery now due (quiet hours over, retry time reached); how many."""
    async with sessionmaker() as session:
        due = await delivery_repository.due_ids(session, providers.clock.now(), SWEEP_BATCH)
    for delivery_id in due:
        await deliver_notification(sessionmaker, providers, delivery_id)
    return len(due)


@dataclass(frozen=True)
class NotificationDispatcher:
    """Runs the deliveries a request created, once it has committed."""

    sessionmaker: async_sessionmaker[AsyncSession]
    providers: NotificationProviders

    async def deliver_now(self, delivery_ids: list[uuid.UUID]) -> None:
        for delivery_id in delivery_ids:
            try:
                await deliver_notification(self.sessionmaker, self.providers, delivery_id)
            except Exception:
                # The request has committed: a failure here must not turn its answer into an
                # error. The delivery stays pending (its lease ends) for the sweep to retry.
                log.exception("notification_delivery_crashed", delivery_id=str(delivery_id))


def dispatcher_of(session: AsyncSession) -> NotificationDispatcher | None:
    dispatcher: NotificationDispatcher | None = session.info.get(DISPATCHER_INFO_KEY)
    return dispatcher


@recurring("notifications.deliver_due", cron="* * * * *")
async def deliver_due_notifications_job(ctx: JobContext) -> None:
    """Deferred deliveries (quiet hours over) and retries whose time has come."""
    await deliver_due_notifications(ctx.state.sessionmaker, ctx.state.notification_providers)
