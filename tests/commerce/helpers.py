"""Shared by the commerce tests: placing and confirming orders over HTTP, running the event
handlers their commits queued."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI

from fitcoach.commerce.payments import signatures
from fitcoach.commerce.payments.providers import sandbox_charge_id, sandbox_event
from fitcoach.worker.store import relay_outbox
from tests.catalog.payloads import published_product
from tests.factories import Account, Factory

ORDERS = "/api/v1/orders"
INVOICES = "/api/v1/invoices"
METHODS = "/api/v1/payment-methods"


def keyed(account: Account, key: str | None = None) -> dict[str, str]:
    return {**account.headers, "Idempotency-Key": key or uuid.uuid4().hex}


async def coach_product(
    client: httpx.AsyncClient, factory: Factory, **overrides: Any
) -> tuple[Account, dict[str, Any]]:
    coach = await factory.coach()
    return coach, await published_product(client, coach, **overrides)


async def place(
    client: httpx.AsyncClient, buyer: Account, product_id: str, **body: Any
) -> httpx.Response:
    return await client.post(ORDERS, json={"productId": product_id, **body}, headers=keyed(buyer))


async def placed(
    client: httpx.AsyncClient, buyer: Account, product_id: str, **body: Any
) -> dict[str, Any]:
    response = await place(client, buyer, product_id, **body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def confirm(
    client: httpx.AsyncClient,
    buyer: Account,
    order_id: str,
    method: str = "pm_card_visa",
    **body: Any,
) -> httpx.Response:
    return await client.post(
        f"{ORDERS}/{order_id}/confirm",
        json={"paymentMethodId": method, **body},
        headers=keyed(buyer),
    )


async def bought(
    client: httpx.AsyncClient, buyer: Account, product_id: str, **body: Any
) -> dict[str, Any]:
    order = await placed(client, buyer, product_id)
    response = await confirm(client, buyer, order["order"]["id"], **body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def run_event_handlers(app: FastAPI) -> None:
    """Relay what the outbox holds and run each handler job here, as a worker would."""
    for job_id in await relay_outbox(app.state.sessionmaker, 1000):
        await app.state.worker.kick(job_id)


WEBHOOKS = "/api/v1/payments/webhooks"


async def deliver(
    app: FastAPI,
    client: httpx.AsyncClient,
    event: dict[str, Any],
    *,
    provider: str = "sandbox",
    signed_at: datetime | None = None,
) -> httpx.Response:
    """Post `event` to the provider's webhook as the provider would: signed (Stripe's scheme)
    with the provider's secret, at `signed_at` (the app's clock by default)."""
    settings = app.state.settings
    secret = (
        settings.sandbox_webhook_secret if provider == "sandbox" else settings.stripe_webhook_secret
    ).get_secret_value()
    body = json.dumps(event).encode()
    header = signatures.sign(secret, body, signed_at or app.state.clock.now())
    return await client.post(
        f"{WEBHOOKS}/{provider}",
        content=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def intent_event(kind: str, intent_id: str, **fields: Any) -> dict[str, Any]:
    """A payment_intent.* event of the sandbox's intent, with its charge."""
    return sandbox_event(
        kind,
        {
            "object": "payment_intent",
            "id": intent_id,
            "latest_charge": sandbox_charge_id(intent_id),
            "payment_method": "pm_card_visa",
            **fields,
        },
    )
