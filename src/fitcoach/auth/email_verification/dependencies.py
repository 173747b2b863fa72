from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from fitcoach.auth.email_verification.service import EmailDelivery


async def _email_delivery() -> EmailDelivery:
    return EmailDelivery()


EmailDeliveryDep = Annotated[EmailDelivery, Depends(_email_delivery)]
