"""Every query of the notifications domain. Inbox, preferences and devices are read through
the owner's id: a user only ever reaches their own rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, time
from typing import Any, NamedTuple

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.models import (
    Delivery,
    Device,
    Notification,
    NotificationPreference,
    NotificationSettings,
    User,
)
from fitcoach.models.enums import DeliveryState


class RecipientRow(NamedTuple):
    time_zone: str | None
    phone: str | None
    phone_verified: bool
    email: str | None
    email_verified: bool
    is_blocked: bool
    quiet_start: time | None
    quiet_end: time | None


def _inbox_of(user_id: uuid.UUID) -> Select[Notification]:
    return select(Notification).where(Notification.user_id == user_id, Notification.in_inbox)


class NotificationRepository:
    async def insert_unless_duplicate(
        self, session: AsyncSession, values: dict[str, Any]
    ) -> Notification | None:
        """The new notification, or None when the user already has one with its dedupe key
        (decided by the unique index, so concurrent duplicates insert once)."""
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        notification: Notification | None = await session.scalar(
            insert(Notification)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
            .returning(Notification)
        )
        return notification

    def add_delivery(self, session: AsyncSession, delivery: Delivery) -> None:
        session.add(delivery)

    async def inbox_page(
        self, session: AsyncSession, user_id: uuid.UUID, page: PageRequest, unread_only: bool
    ) -> tuple[list[Notification], int]:
        statement = _inbox_of(user_id)
        if unread_only:
            statement = statement.where(Notification.read_at.is_(None))
        statement = statement.order_by(Notification.created_at.desc(), Notification.id.desc())
        return await fetch_page(session, statement, page)

    async def unread_count(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        count = await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.in_inbox,
                Notification.read_at.is_(None),
            )
        )
        return int(count or 0)

    async def own_notification(
        self, session: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID
    ) -> Notification | None:
        notification: Notification | None = await session.scalar(
            _inbox_of(user_id).where(Notification.id == notification_id)
        )
        return notification

    async def mark_all_read(self, session: AsyncSession, user_id: uuid.UUID, now: datetime) -> int:
        result = await session.execute(
            update(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.in_inbox,
                Notification.read_at.is_(None),
            )
            .values(read_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def preferences(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> Sequence[NotificationPreference]:
        result = await session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
        return result.all()

    async def settings(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> NotificationSettings | None:
        return await session.get(NotificationSettings, user_id)

    async def recipient(self, session: AsyncSession, user_id: uuid.UUID) -> RecipientRow | None:
        """What notifying the user reads of them and their settings, in one round trip and
        without loading the user (whose roles come with it). A user this session already holds
        is read from there: it may carry changes not yet flushed."""
        held = session.identity_map.get(identity_key(User, user_id))
        if isinstance(held, User):
            settings = await self.settings(session, user_id)
            return RecipientRow(
                held.time_zone,
                held.phone,
                held.phone_verified,
                held.email,
                held.email_verified,
                held.is_blocked,
                settings.quiet_start if settings else None,
                settings.quiet_end if settings else None,
            )
        row = (
            await session.execute(
                select(
                    User.time_zone,
                    User.phone,
                    User.phone_verified,
                    User.email,
                    User.email_verified,
                    User.is_blocked,
                    NotificationSettings.quiet_start,
                    NotificationSettings.quiet_end,
                )
                .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
                .where(User.id == user_id)
            )
        ).first()
        return None if row is None else RecipientRow(*row)

    async def user(self, session: AsyncSession, user_id: uuid.UUID) -> User | None:
        return await session.get(User, user_id)

    async def devices(self, session: AsyncSession, user_id: uuid.UUID) -> Sequence[Device]:
        result = await session.scalars(
            select(Device).where(Device.user_id == user_id).order_by(Device.created_at)
        )
        return result.all()

    async def has_device(self, session: AsyncSession, user_id: uuid.UUID) -> bool:
        found = await session.scalar(select(Device.id).where(Device.user_id == user_id).limit(1))
        return found is not None

    async def device_by_token(self, session: AsyncSession, token: str) -> Device | None:
        device: Device | None = await session.scalar(select(Device).where(Device.token == token))
        return device

    async def own_device(
        self, session: AsyncSession, user_id: uuid.UUID, device_id: uuid.UUID
    ) -> Device | None:
        device: Device | None = await session.scalar(
            select(Device).where(Device.id == device_id, Device.user_id == user_id)
        )
        return device

    async def delete_devices(self, session: AsyncSession, device_ids: Sequence[uuid.UUID]) -> None:
        await session.execute(delete(Device).where(Device.id.in_(device_ids)))


class DeliveryRepository:
    async def claim(
        self, session: AsyncSession, delivery_id: uuid.UUID, now: datetime, lease_until: datetime
    ) -> Delivery | None:
        """Take a due delivery for one attempt: it counts the attempt and pushes its due time
        to `lease_until`, so a second runner skips it and a runner that dies mid-send leaves it
        to be retried once the lease ends. One statement, so two runners cannot both win."""
        claimed = await session.scalar(
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.state == DeliveryState.pending.value,
                Delivery.due_at <= now,
            )
            .values(attempts=Delivery.attempts + 1, due_at=lease_until)
            .returning(Delivery.id)
        )
        if claimed is None:
            return None
        return await session.get(Delivery, claimed, populate_existing=True)

    async def due_ids(self, session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
        result = await session.scalars(
            select(Delivery.id)
            .where(Delivery.state == DeliveryState.pending.value, Delivery.due_at <= now)
            .order_by(Delivery.due_at)
            .limit(limit)
        )
        return list(result)

    async def of_notification(
        self, session: AsyncSession, notification_id: uuid.UUID
    ) -> Sequence[Delivery]:
        result = await session.scalars(
            select(Delivery)
            .where(Delivery.notification_id == notification_id)
            .order_by(Delivery.channel)
        )
        return result.all()


notification_repository = NotificationRepository()
delivery_repository = DeliveryRepository()
