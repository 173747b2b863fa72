"""Shared by the subscription-change and renewal tests: a customer subscribed to a product
(its method saved), changes over HTTP, and a billing pass run as the recurring job would."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from fitcoach.commerce.billing.job import RenewalRun, run_billing
from fitcoach.commerce.invoices.pricing import TaxPolicy
from tests.commerce.helpers import bought, keyed
from tests.factories import Account


def product_terms(price: int, weeks: int, **overrides: Any) -> dict[str, Any]:
    return {"price": price, "durationWeeks": weeks, "addons": [], **overrides}


async def subscribe(client: httpx.AsyncClient, buyer: Account, product_id: str) -> str:
    """Buy the product with pm_card_visa, saved for renewals; the subscription's id."""
    paid = await bought(client, buyer, product_id, saveMethod=True)
    subscription_id: str = paid["order"]["subscriptionId"]
    return subscription_id


async def change(
    client: httpx.AsyncClient,
    account: Account,
    subscription_id: str,
    *,
    preview: bool = False,
    **body: Any,
) -> httpx.Response:
    query = "?preview=true" if preview else ""
    headers = account.headers if preview else keyed(account)
    return await client.post(
        f"/api/v1/subscriptions/{subscription_id}/change{query}", json=body, headers=headers
    )


async def changed(
    client: httpx.AsyncClient, account: Account, subscription_id: str, **body: Any
) -> dict[str, Any]:
    response = await change(client, account, subscription_id, **body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def set_time_zone(client: httpx.AsyncClient, account: Account, zone: str) -> None:
    response = await client.put(
        "/api/v1/notifications/preferences", json={"timeZone": zone}, headers=account.headers
    )
    assert response.status_code == 200, response.text


async def bill(app: FastAPI) -> RenewalRun:
    settings = app.state.settings
    return await run_billing(
        app.state.sessionmaker,
        app.state.payment_provider,
        TaxPolicy(settings.tax_rate_basis_points, settings.tax_inclusive),
        app.state.clock.now(),
    )


async def me(client: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    response = await client.get("/api/v1/auth/me", headers=account.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def awaiting_upgrade(
    client: httpx.AsyncClient, buyer: Account, subscription_id: str, target_id: str
) -> dict[str, Any]:
    """An upgrade paid with pm_card_authenticationRequired: answered 202, awaiting the
    customer's authentication."""
    response = await change(
        client,
        buyer,
        subscription_id,
        action="upgrade",
        targetProductId=target_id,
        paymentMethodId="pm_card_authenticationRequired",
    )
    assert response.status_code == 202, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def confirm_change(
    client: httpx.AsyncClient, account: Account, subscription_id: str, change_id: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/subscriptions/{subscription_id}/changes/{change_id}/confirm",
        json=body,
        headers=keyed(account),
    )
