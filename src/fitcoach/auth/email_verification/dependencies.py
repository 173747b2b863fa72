from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fitcoach.auth.email_verification.service import EmailDelivery
from fitcoach.db.session import sessionmaker_of
from fitcoach.notifications.email import email_provider_of


async def _email_delivery(request: Request) -> EmailDelivery:
    return EmailDelivery(
        provider=email_provider_of(request.app), sessionmaker=sessionmaker_of(request)
    )


EmailDeliveryDep = Annotated[EmailDelivery, Depends(_email_delivery)]
