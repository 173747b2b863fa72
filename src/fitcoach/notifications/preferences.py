"""Preferences: which channels each category of notification uses (defaults below, each
switchable by the user), quiet hours, and the time zone they are read in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import NotificationPreference, NotificationSettings
from fitcoach.models.enums import NotificationCategory, NotificationChannel
from fitcoach.notifications.exceptions import UnknownTimeZone
from fitcoach.notifications.repository import RecipientRow, notification_repository

_IN_APP_AND_PUSH = frozenset({NotificationChannel.in_app, NotificationChannel.push})
# E-mail and SMS are opt-in, except where the message is worth the interruption: a trial about
# to end (SMS) and account security (e-mail).
DEFAULT_CHANNELS: dict[NotificationCategory, frozenset[NotificationChannel]] = {
    NotificationCategory.subscription: _IN_APP_AND_PUSH,
    NotificationCategory.trial: _IN_APP_AND_PUSH | {NotificationChannel.sms},
    NotificationCategory.training: _IN_APP_AND_PUSH,
    NotificationCategory.sessions: _IN_APP_AND_PUSH,
    NotificationCategory.messages: _IN_APP_AND_PUSH,
    NotificationCategory.account: _IN_APP_AND_PUSH | {NotificationChannel.email},
    # A feed read when the coach chooses: it never interrupts unless they turn push on.
    NotificationCategory.client_activity: frozenset({NotificationChannel.in_app}),
    # The messages themselves were already in the app and pushed: the digest is e-mail's.
    NotificationCategory.message_digest: frozenset({NotificationChannel.email}),
}

Switch = tuple[NotificationCategory, NotificationChannel]


@dataclass(frozen=True)
class NotificationChoices:
    enabled: dict[Switch, bool]
    quiet_start: time | None
    quiet_end: time | None
    time_zone: str | None

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        if self.quiet_start is None or self.quiet_end is None:
            return None
        return self.quiet_start, self.quiet_end

    def channels_for(self, category: NotificationCategory) -> frozenset[NotificationChannel]:
        return frozenset(
            channel for channel in NotificationChannel if self.enabled[(category, channel)]
        )


@dataclass(frozen=True)
class PreferencesChange:
    """What a PUT changes; what it leaves out stays. `quiet_hours` None turns them off."""

    switches: dict[Switch, bool]
    set_quiet_hours: bool = False
    quiet_hours: tuple[time, time] | None = None
    set_time_zone: bool = False
    time_zone: str | None = None


class PreferenceService:
    async def load(self, session: AsyncSession, user_id: uuid.UUID) -> NotificationChoices:
        return await self.choices(
            session, user_id, await notification_repository.recipient(session, user_id)
        )

    async def choices(
        self, session: AsyncSession, user_id: uuid.UUID, recipient: RecipientRow | None
    ) -> NotificationChoices:
        """The user's choices, their quiet hours and zone taken from `recipient` (read once by
        whoever also needs the rest of it)."""
        enabled: dict[Switch, bool] = {
            (category, channel): channel in DEFAULT_CHANNELS[category]
            for category in NotificationCategory
            for channel in NotificationChannel
        }
        for row in await notification_repository.preferences(session, user_id):
            key = (NotificationCategory(row.category), NotificationChannel(row.channel))
            enabled[key] = row.enabled
        return NotificationChoices(
            enabled=enabled,
            quiet_start=recipient.quiet_start if recipient else None,
            quiet_end=recipient.quiet_end if recipient else None,
            time_zone=recipient.time_zone if recipient else None,
        )

    async def update(
        self, session: AsyncSession, user_id: uuid.UUID, change: PreferencesChange
    ) -> NotificationChoices:
        for (category, channel), enabled in change.switches.items():
            row = await session.get(
                NotificationPreference, (user_id, category.value, channel.value)
            )
            if row is None:
                session.add(
                    NotificationPreference(
                        user_id=user_id,
                        category=category.value,
                        channel=channel.value,
                        enabled=enabled,
                    )
                )
            else:
                row.enabled = enabled
        if change.set_quiet_hours:
            settings = await notification_repository.settings(session, user_id)
            if settings is None:
                settings = NotificationSettings(user_id=user_id)
                session.add(settings)
            start, end = change.quiet_hours or (None, None)
            settings.quiet_start, settings.quiet_end = start, end
        if change.set_time_zone:
            user = await notification_repository.user(session, user_id)
            if user is not None:
                user.time_zone = _checked_zone(change.time_zone)
        await session.flush()
        return await self.load(session, user_id)


def _checked_zone(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimeZone() from exc
    return name


preference_service = PreferenceService()
