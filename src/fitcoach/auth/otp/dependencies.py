from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from fitcoach.auth.otp.service import SmsDelivery


async def _sms_delivery() -> SmsDelivery:
    return SmsDelivery()


SmsDeliveryDep = Annotated[SmsDelivery, Depends(_sms_delivery)]
