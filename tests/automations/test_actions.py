"""The actions that act through other domains, run live by the embedded workers: a message from
the customer's coach, a single-use promo code for that customer alone told in a notification,
and a call to an outgoing webhook (verified by the receiver with the `standardwebhooks`
library). Each is validated on save like the others."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from standardwebhooks import Webhook

from fitcoach.core.clock import FrozenClock
from fitcoach.models import Message, Notification, PromoCode
from tests.automations.events import log_workout, rule
from tests.automations.helpers import handled
from tests.commerce.helpers import coach_product, place, placed
from tests.factories import Account, Factory, assert_error, with_settings
from tests.integrations.webhooks import receiving, settled, subscribe

URL = "/api/v1/automations"


@pytest.fixture
async def admin(factory: Factory) -> Account:
    return await factory.admin()


@with_settings(
    worker_embedded=True,
    scheduler_enabled=False,
    worker_poll_seconds=0.05,
    webhook_retry_base_seconds=0,
)
async def test_message_promo_and_webhook_actions_run_once_per_event(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, admin: Account
) -> None:
    coach, customer = await factory.coach(), await factory.customer(name="Alice Able")
    await factory.assign_coach(coach, customer)
    async with receiving() as receiver:
        # Subscribed to nothing of this event: only the action delivers to it.
        endpoint = await subscribe(client, admin, f"{receiver.url}/hook", "commerce.order_paid")
        actions = [
            {"type": "message", "body": "Rest well, {{customer.name}}. Same time tomorrow?"},
            {
                "type": "promo",
                "percentOff": 20,
                "validDays": 7,
                "title": "A little push",
                "body": "{{promo.percentOff}}% off with {{promo.code}} until {{promo.validUntil}}",
            },
            {"type": "webhook", "endpointId": endpoint["id"]},
        ]
        response = await client.post(URL, json=rule(actions=actions), headers=admin.headers)
        assert response.status_code == 201, response.text
        automation_id = response.json()["data"]["id"]
        event = await log_workout(app, customer.id, clock.now(), status="skipped")
        await handled(app, event.id)
        [delivery] = await settled(client, admin, endpoint["id"])

    runs = await client.get(f"{URL}/{automation_id}/runs", headers=admin.headers)
    [run] = runs.json()["data"]["items"]
    assert [item["type"] for item in run["performed"]] == ["message", "promo", "webhook"]
    async with app.state.sessionmaker() as session:
        message = (await session.scalars(select(Message))).one()
        promo = (await session.scalars(select(PromoCode))).one()
        notification = (
            await session.scalars(select(Notification).where(Notification.title == "A little push"))
        ).one()
    assert (message.sender_id, message.body) == (
        coach.id,
        "Rest well, Alice Able. Same time tomorrow?",
    )
    assert promo.code.startswith("AUTO-")
    assert (promo.percent_off, promo.max_redemptions, promo.max_per_customer) == (20, 1, 1)
    assert promo.valid_to is not None
    until = promo.valid_to.date().isoformat()
    assert notification.user_id == customer.id
    assert notification.body == f"20% off with {promo.code} until {until}"
    assert promo.customer_id == customer.id
    # The code is the customer's own: anyone else is told it does not exist.
    _, product = await coach_product(client, factory, price=10_000)
    someone_else = await factory.customer()
    refused = await place(client, someone_else, product["id"], promoCode=promo.code)
    assert_error(refused, 422, code="promo_code_unknown")
    order = await placed(client, customer, product["id"], promoCode=promo.code)
    assert order["invoice"]["discount"] == 2_000

    assert (delivery["status"], delivery["source"]) == ("succeeded", f"automation:{automation_id}")
    [received] = receiver.received
    body = Webhook(endpoint["secret"]).verify(received.body, received.headers)
    assert body["automationId"] == automation_id
    assert body["data"]["eventId"] == str(event.id)


@pytest.mark.parametrize(
    ("action", "path"),
    [
        ({"type": "message", "body": ""}, "actions[0].body"),
        ({"type": "message", "body": "Hi {{customer.shoeSize}}"}, "actions[0].body"),
        (
            {"type": "promo", "percentOff": 0, "validDays": 7, "title": "t", "body": "b"},
            "actions[0].percentOff",
        ),
        (
            {"type": "promo", "percentOff": 10, "validDays": 400, "title": "t", "body": "b"},
            "actions[0].validDays",
        ),
        ({"type": "webhook", "endpointId": "nope"}, "actions[0].endpointId"),
        (
            {"type": "webhook", "endpointId": "8f0e9a52-1c1f-4a4e-9b8e-3b0d1f7c2a11"},
            "actions[0].endpointId",
        ),
    ],
)
async def test_the_new_actions_are_validated_on_save(
    client: httpx.AsyncClient, admin: Account, action: dict[str, Any], path: str
) -> None:
    response = await client.post(URL, json=rule(actions=[action]), headers=admin.headers)
    assert_error(response, 422, code="invalid_rule")
    assert response.json()["errors"][0]["field"] == path
