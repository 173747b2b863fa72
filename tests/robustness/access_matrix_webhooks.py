"""The access matrix's rows for outgoing webhooks and coach tasks (see access_matrix for the rules).

Webhook endpoints are the business's integrations: admins (or API keys holding
`webhooks:manage`, tested in tests/integrations) manage them; coaches and customers get 403
whatever the id. The signing secret is handed over once, in the answer that creates one.
"""

from __future__ import annotations

import uuid

from fitcoach.core.crypto import seal
from fitcoach.models import CoachTask, WebhookDelivery, WebhookEndpoint
from tests.automations.events import WORKOUT
from tests.robustness.cells import (
    Builder,
    Call,
    Row,
    admin_only,
    body_of,
    reads_only,
    signed_in,
)
from tests.robustness.world import Actor, World

WEBHOOKS = "/api/v1/integrations/webhooks"
_ONE = WEBHOOKS + "/{webhookId}"


async def _endpoint_with_delivery(world: World) -> tuple[str, str]:
    """A fresh endpoint (each call may change or delete its own) with a failed delivery."""
    endpoint_id, delivery_id = uuid.uuid4(), uuid.uuid4()
    secret = seal(world.app.state.settings.signing_secret, "webhook-secret", "whsec_bWF0cml4")
    async with world.app.state.sessionmaker() as session, session.begin():
        session.add(
            WebhookEndpoint(
                id=endpoint_id,
                url="https://partner.example.com/hook",
                description=None,
                enabled=True,
                secret_sealed=secret,
            )
        )
        await session.flush()
        session.add(
            WebhookDelivery(
                id=delivery_id,
                endpoint_id=endpoint_id,
                event_id=uuid.uuid4(),
                event_type=WORKOUT,
                source="subscription",
                payload={"type": WORKOUT},
                status="failed",
                attempts=1,
                series=1,
            )
        )
    return str(endpoint_id), str(delivery_id)


def _on_endpoint(body: object = None) -> Builder:
    async def build(world: World, actor: Actor) -> Call:
        endpoint_id, _ = await _endpoint_with_delivery(world)
        return Call(path={"webhookId": endpoint_id}, json=body)

    return build


async def _on_delivery(world: World, actor: Actor) -> Call:
    endpoint_id, delivery_id = await _endpoint_with_delivery(world)
    return Call(path={"webhookId": endpoint_id, "deliveryId": delivery_id})


_read_one = reads_only(_on_endpoint())

WEBHOOKS_MATRIX: dict[tuple[str, str], Row] = {
    ("POST", WEBHOOKS): Row(
        admin_only(201),
        body_of(lambda world: {"url": "https://partner.example.com/hook", "eventTypes": [WORKOUT]}),
        hands_over=frozenset({"secret"}),
    ),
    ("GET", WEBHOOKS): Row(admin_only()),
    ("GET", _ONE): Row(admin_only(), _read_one),
    ("PATCH", _ONE): Row(admin_only(), _on_endpoint({"enabled": False})),
    ("DELETE", _ONE): Row(admin_only(), _on_endpoint()),
    ("GET", _ONE + "/deliveries"): Row(admin_only(), _read_one),
    ("POST", _ONE + "/deliveries/{deliveryId}/redeliver"): Row(admin_only(202), _on_delivery),
}


async def _assigned_coachs_task(world: World, actor: Actor) -> Call:
    """A task of the world's assigned coach about its customer (fresh: each call may
    complete its own)."""
    task_id = uuid.uuid4()
    async with world.app.state.sessionmaker() as session, session.begin():
        session.add(
            CoachTask(
                id=task_id,
                coach_id=world.ids[Actor.ASSIGNED_COACH],
                customer_id=world.ids[Actor.CUSTOMER],
                title="Matrix task",
                due_at=None,
            )
        )
    return Call(path={"taskId": str(task_id)}, json={"completed": True})


# Coach tasks: staff only; a coach reaches only their own task (another's answers 404).
TASKS_MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/tasks"): Row(signed_in(403, 403, 200, 200, 200)),
    ("PATCH", "/api/v1/tasks/{taskId}"): Row(
        signed_in(403, 403, 200, 404, 200), _assigned_coachs_task
    ),
}
