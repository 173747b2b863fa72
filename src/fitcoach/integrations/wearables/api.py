"""The providers' APIs, where the workers fetch what a notification names, with the customer's
access token. Base URLs come from the settings, so tests point them at a local stand-in."""

from __future__ import annotations

import re
from typing import Any

import httpx

from fitcoach.config import Settings
from fitcoach.integrations.wearables.metrics import (
    Metric,
    fitbit_metrics,
    oura_metrics,
    partner_metrics,
    whoop_metrics,
)
from fitcoach.integrations.wearables.signatures import WearableProvider

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SAFE_ID = re.compile(r"[A-Za-z0-9_.-]{1,128}")


class ProviderApiError(Exception):
    """The provider's API failed or refused; the job retries with backoff."""


async def _get(settings: Settings, url: str, token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=settings.wearable_api_timeout_seconds) as client:
        try:
            response = await client.get(url, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise ProviderApiError(f"GET {url} failed: {exc.__class__.__name__}") from exc
    if response.status_code != 200:
        raise ProviderApiError(f"GET {url} answered {response.status_code}")
    document: dict[str, Any] = response.json()
    return document


def _checked(pattern: re.Pattern[str], value: object) -> str:
    text = str(value)
    if not pattern.fullmatch(text):
        raise ProviderApiError(f"refusing to put {text!r} in a provider URL")
    return text


async def fetch_metrics(
    settings: Settings, provider: WearableProvider, content: dict[str, Any], token: str | None
) -> list[Metric]:
    """The metrics a notice names: carried by a partner's notice, fetched for the others."""
    if provider is WearableProvider.PARTNER:
        return partner_metrics(content["samples"])
    if token is None:
        raise ProviderApiError(f"no access token for {provider.value}")
    if provider is WearableProvider.OURA:
        data_type = content["dataType"]
        object_id = _checked(_SAFE_ID, content["objectId"])
        url = f"{settings.oura_api_url}/v2/usercollection/{data_type}/{object_id}"
        return oura_metrics(data_type, await _get(settings, url, token))
    if provider is WearableProvider.WHOOP:
        kind = content["kind"]
        object_id = _checked(_SAFE_ID, content["id"])
        url = f"{settings.whoop_api_url}/developer/v2/activity/{kind}/{object_id}"
        return whoop_metrics(kind, await _get(settings, url, token))
    collection = content["collection"]
    day = _checked(_DAY, content["date"])
    path = "activities" if collection == "activities" else "body/log/weight"
    url = f"{settings.fitbit_api_url}/1/user/-/{path}/date/{day}.json"
    return fitbit_metrics(collection, day, await _get(settings, url, token))


async def provider_user_id(settings: Settings, provider: WearableProvider, token: str) -> str:
    """The provider's id of the token's user, from its profile (Oura, Whoop)."""
    if provider is WearableProvider.OURA:
        profile = await _get(
            settings, f"{settings.oura_api_url}/v2/usercollection/personal_info", token
        )
        return str(profile["id"])
    url = f"{settings.whoop_api_url}/developer/v2/user/profile/basic"
    return str((await _get(settings, url, token))["user_id"])
