"""The payment provider the app was built with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fitcoach.commerce.payments.providers import PaymentProvider


async def _provider(request: Request) -> PaymentProvider:
    provider: PaymentProvider = request.app.state.payment_provider
    return provider


ProviderDep = Annotated[PaymentProvider, Depends(_provider)]
