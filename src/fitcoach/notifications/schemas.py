from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Annotated, Any, Literal

from pydantic import Field

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.pagination import Pagination
from fitcoach.models.enums import NotificationCategory, NotificationChannel


class NotificationOut(ApiModel):
    id: uuid.UUID
    category: str
    title: str
    body: str
    data: dict[str, Any]
    urgent: bool
    read_at: datetime | None
    created_at: datetime


class InboxOut(ApiModel):
    items: list[NotificationOut]
    pagination: Pagination
    unread_count: int


class MarkedReadOut(ApiModel):
    marked: int = Field(description="How many notifications were unread and are now read")


class ChannelSwitch(ApiModel):
    category: NotificationCategory
    channel: NotificationChannel
    enabled: bool


class ChannelSwitchIn(StrictApiModel):
    category: NotificationCategory
    channel: NotificationChannel
    enabled: bool


class QuietHours(StrictApiModel):
    start: time = Field(description="Local time of day, e.g. 22:00")
    end: time = Field(description="Local time of day, e.g. 07:00; before start: spans midnight")


class PreferencesOut(ApiModel):
    channels: list[ChannelSwitch]
    quiet_hours: QuietHours | None
    time_zone: str | None = Field(description="IANA name; null: UTC")


class PreferencesIn(StrictApiModel):
    """Only what is sent changes: `quietHours: null` turns quiet hours off."""

    channels: list[ChannelSwitchIn] = Field(default_factory=list, max_length=100)
    quiet_hours: QuietHours | None = None
    time_zone: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class WebPushKeys(StrictApiModel):
    p256dh: Annotated[str, Field(min_length=1, max_length=256)]
    auth: Annotated[str, Field(min_length=1, max_length=64)]


class WebPushSubscription(StrictApiModel):
    endpoint: Annotated[str, Field(pattern=r"^https?://", max_length=1024)]
    keys: WebPushKeys


class WebPushDeviceIn(StrictApiModel):
    kind: Literal["webpush"]
    subscription: WebPushSubscription


class FcmDeviceIn(StrictApiModel):
    kind: Literal["fcm"]
    token: Annotated[str, Field(min_length=1, max_length=1024)]


# A plain union: `kind` tells them apart (StrictApiModel's field validator rules out a
# discriminator).
DeviceIn = WebPushDeviceIn | FcmDeviceIn


class DeviceOut(ApiModel):
    id: uuid.UUID
    kind: str
    created_at: datetime
