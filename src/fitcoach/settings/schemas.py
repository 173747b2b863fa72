"""The business settings as the admin console reads and writes them."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.settings.service import SettingKey

# Strict, so that `true` or "7" is rejected instead of silently becoming 1 or 7.
FreeDays = Annotated[int, Field(strict=True, ge=0, le=365, description="0-365")]


class DefaultFreeDaysIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"days": 14}]})

    days: FreeDays


class SettingsOut(ApiModel):
    settings: dict[str, str | None] = Field(
        description="Every setting by its key: " + ", ".join(SettingKey)
    )
