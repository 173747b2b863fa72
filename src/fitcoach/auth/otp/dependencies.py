from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fitcoach.auth.otp.service import SmsDelivery
from fitcoach.db.session import sessionmaker_of


async def _sms_delivery(request: Request) -> SmsDelivery:
    return SmsDelivery(
        provider=request.app.state.sms_provider, sessionmaker=sessionmaker_of(request)
    )


SmsDeliveryDep = Annotated[SmsDelivery, Depends(_sms_delivery)]
