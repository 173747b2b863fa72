"""The signed-in user's notifications: the inbox, read marks, preferences (channels per
category, quiet hours, time zone) and push devices. Every route reads the caller's own rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fitcoach.access.dependencies import CurrentUser
from fitcoach.config import Environment
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.location import Created
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import DeviceIdPath, NotificationIdPath
from fitcoach.models.enums import DeviceKind
from fitcoach.notifications.devices import DeviceRegistration, device_service
from fitcoach.notifications.preferences import (
    NotificationChoices,
    PreferencesChange,
    preference_service,
)
from fitcoach.notifications.schemas import (
    ChannelSwitch,
    DeviceIn,
    DeviceOut,
    InboxOut,
    MarkedReadOut,
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
    QuietHours,
    WebPushDeviceIn,
)
from fitcoach.notifications.service import notification_service

router = APIRouter(tags=["notifications"])


@router.get(
    "/notifications",
    response_model=DataEnvelope[InboxOut],
    responses=error_responses(401, 403, 422),
    summary="The caller's inbox, newest first, with the unread count",
)
async def list_notifications(
    user: CurrentUser,
    session: DbSession,
    page: PageRequestDep,
    unread_only: Annotated[bool, Query(alias="unreadOnly")] = False,
) -> DataEnvelope[InboxOut]:
    inbox = await notification_service.inbox(session, user.id, page, unread_only)
    listed = Page.of([NotificationOut.model_validate(n) for n in inbox.items], inbox.total, page)
    return ok(InboxOut(items=listed.items, pagination=listed.pagination, unread_count=inbox.unread))


@router.post(
    "/notifications/{notificationId}/read",
    response_model=DataEnvelope[NotificationOut],
    responses=error_responses(401, 403, 404, 422),
    summary="Mark one of the caller's notifications read",
)
async def mark_notification_read(
    notification_id: NotificationIdPath, user: CurrentUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[NotificationOut]:
    notification = await notification_service.mark_read(
        session, user.id, notification_id, clock.now()
    )
    return ok(NotificationOut.model_validate(notification))


@router.post(
    "/notifications/read-all",
    response_model=DataEnvelope[MarkedReadOut],
    responses=error_responses(401, 403),
    summary="Mark all of the caller's notifications read",
)
async def mark_all_notifications_read(
    user: CurrentUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[MarkedReadOut]:
    marked = await notification_service.mark_all_read(session, user.id, clock.now())
    return ok(MarkedReadOut(marked=marked))


def _preferences_out(choices: NotificationChoices) -> PreferencesOut:
    hours = choices.quiet_hours
    quiet = QuietHours(start=hours[0], end=hours[1]) if hours is not None else None
    return PreferencesOut(
        channels=[
            ChannelSwitch(category=category, channel=channel, enabled=enabled)
            for (category, channel), enabled in choices.enabled.items()
        ],
        quiet_hours=quiet,
        time_zone=choices.time_zone,
    )


@router.get(
    "/notifications/preferences",
    response_model=DataEnvelope[PreferencesOut],
    responses=error_responses(401, 403),
    summary="The caller's channels per category, quiet hours and time zone",
)
async def get_notification_preferences(
    user: CurrentUser, session: DbSession
) -> DataEnvelope[PreferencesOut]:
    return ok(_preferences_out(await preference_service.load(session, user.id)))


@router.put(
    "/notifications/preferences",
    response_model=DataEnvelope[PreferencesOut],
    responses=error_responses(400, 401, 403, 422),
    summary="Change channels per category, quiet hours or time zone (what is sent changes)",
)
async def update_notification_preferences(
    body: PreferencesIn, user: CurrentUser, session: DbSession
) -> DataEnvelope[PreferencesOut]:
    sent = body.model_fields_set
    change = PreferencesChange(
        switches={(item.category, item.channel): item.enabled for item in body.channels},
        set_quiet_hours="quiet_hours" in sent,
        quiet_hours=(body.quiet_hours.start, body.quiet_hours.end) if body.quiet_hours else None,
        set_time_zone="time_zone" in sent,
        time_zone=body.time_zone,
    )
    return ok(_preferences_out(await preference_service.update(session, user.id, change)))


@router.post(
    "/devices",
    response_model=DataEnvelope[DeviceOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 422),
    summary="Register a push device: a Web Push subscription or an FCM token",
)
async def register_device(
    body: DeviceIn,
    user: CurrentUser,
    session: DbSession,
    settings: SettingsDep,
    created: Created,
) -> DataEnvelope[DeviceOut]:
    if isinstance(body, WebPushDeviceIn):
        registration = DeviceRegistration(
            kind=DeviceKind.webpush,
            token=body.subscription.endpoint,
            p256dh=body.subscription.keys.p256dh,
            auth=body.subscription.keys.auth,
        )
    else:
        registration = DeviceRegistration(kind=DeviceKind.fcm, token=body.token)
    device = await device_service.register(
        session, user.id, registration, https_only=settings.env is Environment.production
    )
    created.route("remove_device", deviceId=device.id)
    return ok(DeviceOut.model_validate(device))


@router.delete(
    "/devices/{deviceId}",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 422),
    summary="Remove one of the caller's push devices",
)
async def remove_device(
    device_id: DeviceIdPath, user: CurrentUser, session: DbSession
) -> MessageEnvelope:
    await device_service.remove(session, user.id, device_id)
    return said("Device removed")
