"""The access matrix's rows for automations (see access_matrix for the rules).

Automations are the business's rules over every customer's events, sending in the business's
name: admins only. Coaches and customers get 403 whatever the id (the route is not for their
role), so a denied id tells them nothing either way.
"""

from __future__ import annotations

import uuid
from typing import Any

from fitcoach.models import Automation
from tests.automations.events import WORKOUT, rule
from tests.robustness.cells import Call, Row, admin_only, body_of, reads_only
from tests.robustness.world import Actor, World


async def _automation_id(world: World) -> str:
    """A fresh automation, written directly (each call may delete or change its own)."""
    automation = Automation(
        id=uuid.uuid4(),
        name="Matrix automation",
        status="draft",
        trigger={"event": WORKOUT},
        trigger_event=WORKOUT,
        conditions=None,
        actions=[{"type": "tag", "tag": "matrix"}],
        cap_runs=1,
        cap_hours=24,
    )
    async with world.app.state.sessionmaker() as session, session.begin():
        session.add(automation)
    return str(automation.id)


def _on_automation(body: Any = None) -> Any:
    async def build(world: World, actor: Actor) -> Call:
        return Call(path={"automationId": await _automation_id(world)}, json=body)

    return build


_read_one = reads_only(_on_automation())

AUTOMATIONS_MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/automations/catalog"): Row(admin_only()),
    ("GET", "/api/v1/automations"): Row(admin_only()),
    ("POST", "/api/v1/automations"): Row(admin_only(201), body_of(lambda world: rule())),
    ("GET", "/api/v1/automations/{automationId}"): Row(admin_only(), _read_one),
    ("PATCH", "/api/v1/automations/{automationId}"): Row(
        admin_only(), _on_automation({"status": "paused"})
    ),
    ("DELETE", "/api/v1/automations/{automationId}"): Row(admin_only(), _on_automation()),
    ("POST", "/api/v1/automations/{automationId}/simulate"): Row(
        admin_only(), reads_only(_on_automation({"sampleSize": 10}))
    ),
    ("GET", "/api/v1/automations/{automationId}/runs"): Row(admin_only(), _read_one),
}
