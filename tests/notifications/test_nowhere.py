"""A delivery due now on a channel the user has no address on (no device, no verified phone or
e-mail) is recorded as skipped in the notifying transaction, as the delivery attempt would
record it, instead of costing that attempt's two transactions after the commit."""

from __future__ import annotations

from fastapi import FastAPI

from fitcoach.models.enums import NotificationChannel
from fitcoach.notifications.channels import Outbox
from tests.factories import Factory
from tests.notifications.helpers import deliveries_of, grant, register_fcm


async def test_a_push_with_no_device_is_skipped_at_once(
    app: FastAPI, factory: Factory, pushes: Outbox
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    await grant(factory.client, admin, customer)
    deliveries = await deliveries_of(app, customer.id)
    push = deliveries["push"]
    assert (push.state, push.attempts, push.last_error, push.sent_at) == (
        "skipped",
        1,
        "nowhere to send",
        None,
    )
    assert deliveries["in_app"].state == "sent"
    assert pushes.to(customer.id, NotificationChannel.push) == []


async def test_a_registered_device_still_gets_its_push(
    app: FastAPI, factory: Factory, pushes: Outbox
) -> None:
    admin, customer = await factory.admin(), await factory.customer()
    await register_fcm(factory.client, customer, "fcm-phone-1")
    await grant(factory.client, admin, customer)
    push = (await deliveries_of(app, customer.id))["push"]
    assert (push.state, push.attempts, push.last_error) == ("sent", 1, None)
    assert len(pushes.to(customer.id, NotificationChannel.push)) == 1
