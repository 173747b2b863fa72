"""The business's subscription policy, an admin setting (SUBSCRIPTION_POLICY): how many pauses
a year, how long each, how far ahead they are asked for, and whether an immediate cancel
refunds the unused days."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import Actor
from fitcoach.settings.service import SettingKey, setting_service


class CancelRefund(StrEnum):
    prorated = "prorated"
    none = "none"


@dataclass(frozen=True)
class SubscriptionPolicy:
    max_pauses_per_year: int = 2
    min_pause_days: int = 7
    max_pause_days: int = 30
    pause_notice_hours: int = 24
    cancel_refund: CancelRefund = CancelRefund.prorated

    def to_json(self) -> str:
        return json.dumps(
            {
                "maxPausesPerYear": self.max_pauses_per_year,
                "minPauseDays": self.min_pause_days,
                "maxPauseDays": self.max_pause_days,
                "pauseNoticeHours": self.pause_notice_hours,
                "cancelRefund": self.cancel_refund.value,
            }
        )

    @classmethod
    def from_json(cls, stored: str) -> SubscriptionPolicy:
        values = json.loads(stored)
        return cls(
            max_pauses_per_year=values["maxPausesPerYear"],
            min_pause_days=values["minPauseDays"],
            max_pause_days=values["maxPauseDays"],
            pause_notice_hours=values["pauseNoticeHours"],
            cancel_refund=CancelRefund(values["cancelRefund"]),
        )


async def subscription_policy(session: AsyncSession) -> SubscriptionPolicy:
    stored = await setting_service.value(session, SettingKey.SUBSCRIPTION_POLICY)
    return SubscriptionPolicy() if stored is None else SubscriptionPolicy.from_json(stored)


async def set_subscription_policy(
    session: AsyncSession, admin: Actor, policy: SubscriptionPolicy, now: datetime
) -> None:
    """Applies to changes requested from now on; scheduled pauses keep their terms."""
    await setting_service.set(
        session, SettingKey.SUBSCRIPTION_POLICY, policy.to_json(), admin.id, now
    )
