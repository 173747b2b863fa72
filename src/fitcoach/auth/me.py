"""The signed-in user as /auth/me shows them, and as every sign-in answer returns them: the
account with its subscription state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.access.principal import Principal
from fitcoach.models import User
from fitcoach.subscriptions.service import SubscriptionStatus, subscription_service


@dataclass(frozen=True)
class Me:
    user: User | Principal
    subscription: SubscriptionStatus
    as_of: datetime

    @property
    def body_metrics(self) -> tuple[float | None, float | None, int | None, str | None]:
        user = self.user
        return (user.height_cm, user.weight_kg, user.age, user.gender)


class MeService:
    async def describe(self, session: AsyncSession, user: User | Principal, now: datetime) -> Me:
        status = await subscription_service.status(session, user.id, now)
        return Me(user=user, subscription=status, as_of=now)


me_service = MeService()
