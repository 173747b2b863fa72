"""What a verified webhook body says, per provider: for whom (the provider's user id) and what
(the partner's samples themselves; Oura, Whoop and Fitbit only name what changed, which the
workers then fetch from the provider's API)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fitcoach.integrations.wearables.exceptions import InvalidWebhookBody
from fitcoach.integrations.wearables.metrics import partner_metrics
from fitcoach.integrations.wearables.signatures import WearableProvider

_WHOOP_KINDS = {"workout.updated": "workout", "sleep.updated": "sleep"}
_OURA_TYPES = {"daily_activity", "sleep"}
_FITBIT_COLLECTIONS = {"activities", "body"}


@dataclass(frozen=True)
class Notice:
    external_user_id: str
    # The job's arguments: JSON values only.
    content: dict[str, Any]


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value):
        raise InvalidWebhookBody()
    text = str(value)
    if len(text) > 128:
        raise InvalidWebhookBody()
    return text


def _object(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidWebhookBody()
    return value


def notices(provider: WearableProvider, body: bytes) -> list[Notice]:
    """The body's notices; those of kinds not stored here (an Oura tag, a deleted Whoop
    workout) are left out. A body not in the provider's format is a 400."""
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise InvalidWebhookBody() from exc
    try:
        return _read(provider, document)
    except (KeyError, TypeError) as exc:
        raise InvalidWebhookBody() from exc


def _read(provider: WearableProvider, document: Any) -> list[Notice]:
    if provider is WearableProvider.PARTNER:
        data = _object(_object(document)["data"])
        samples = data["samples"]
        partner_metrics(samples)  # refused now, not in the worker
        return [Notice(_text(data["userId"]), {"samples": samples})]
    if provider is WearableProvider.OURA:
        event = _object(document)
        if event["data_type"] not in _OURA_TYPES or event["event_type"] == "delete":
            return []
        content = {"dataType": event["data_type"], "objectId": _text(event["object_id"])}
        return [Notice(_text(event["user_id"]), content)]
    if provider is WearableProvider.WHOOP:
        event = _object(document)
        kind = _WHOOP_KINDS.get(event["type"])
        if kind is None:
            return []
        return [Notice(_text(event["user_id"]), {"kind": kind, "id": _text(event["id"])})]
    if not isinstance(document, list):
        raise InvalidWebhookBody()
    return [
        Notice(
            _text(item["ownerId"]),
            {"collection": item["collectionType"], "date": _text(item["date"])},
        )
        for item in map(_object, document)
        if item["collectionType"] in _FITBIT_COLLECTIONS
    ]
