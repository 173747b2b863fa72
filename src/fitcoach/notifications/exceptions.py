from __future__ import annotations

from fitcoach.core.errors import NotFound, Unprocessable


class NotificationNotFound(NotFound):
    message = "Notification not found"


class DeviceNotFound(NotFound):
    message = "Device not found"


class UnknownTimeZone(Unprocessable):
    message = "Unknown time zone: use an IANA name such as Europe/Berlin"


class PushEndpointNotAllowed(Unprocessable):
    message = "A Web Push endpoint must be an https URL"
