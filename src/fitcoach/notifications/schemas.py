from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema

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
    enabled: bool = Field(strict=True)


def _written_as_text(value: object) -> object:
    # Pydantic would read a number as seconds since midnight; the schema says a time string.
    if not isinstance(value, str | time):
        raise ValueError("must be a time of day such as 22:00")
    return value


# A local time of day has no offset, which JSON Schema's `format: time` requires: a pattern says
# what is accepted ("22:00", "22:00:00") and what answers carry.
LocalTime = Annotated[
    time,
    BeforeValidator(_written_as_text),
    WithJsonSchema({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"}),
]


class QuietHours(StrictApiModel):
    start: LocalTime = Field(description="Local time of day, e.g. 22:00")
    end: LocalTime = Field(
        description="Local time of day, e.g. 07:00; before start: spans midnight"
    )


class PreferencesOut(ApiModel):
    channels: list[ChannelSwitch]
    quiet_hours: QuietHours | None
    time_zone: str | None = Field(description="IANA name; null: UTC")


class PreferencesIn(StrictApiModel):
    """Only what is sent changes: `quietHours: null` turns quiet hours off."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "channels": [{"category": "training", "channel": "push", "enabled": False}],
                    "quietHours": {"start": "22:00", "end": "07:00"},
                    "timeZone": "Europe/Berlin",
                }
            ]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "webpush",
                    "subscription": {
                        "endpoint": "https://push.example.com/send/abc123",
                        "keys": {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA", "auth": "tBHI"},
                    },
                }
            ]
        }
    )

    kind: Literal["webpush"]
    subscription: WebPushSubscription


class FcmDeviceIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kind": "fcm", "token": "fcm-registration-token-123"}]}
    )

    kind: Literal["fcm"]
    token: Annotated[str, Field(min_length=1, max_length=1024)]


# A plain union: `kind` tells them apart (StrictApiModel's field validator rules out a
# discriminator).
DeviceIn = WebPushDeviceIn | FcmDeviceIn


class DeviceOut(ApiModel):
    id: uuid.UUID
    kind: str
    created_at: datetime
