"""The access matrix's rows for analytics (see access_matrix for the rules).

A customer's progress is read by the customer, their assigned coach and admins; anyone else
gets 404, as for a customer who does not exist. Cohorts are for staff: a coach's table and
drilldown cover their own clients (none, for the unassigned coach: an empty answer, not a
refusal), an admin's everyone.
"""

from __future__ import annotations

import uuid

from fitcoach.analytics.cohorts.repository import CohortSpec
from fitcoach.analytics.cohorts.tokens import Drill, issue
from tests.robustness.cells import Call, Row, reads_only, signed_in
from tests.robustness.world import Actor, World


@reads_only
async def _customers_progress(world: World, actor: Actor) -> Call:
    return Call(params={"customerId": world.customer.user_id, "range": "30d"})


@reads_only
async def _own_drilldown_token(world: World, actor: Actor) -> Call:
    """A token issued to the caller, as their own cohort table would carry it."""
    now = world.app.state.clock.now()
    today = now.date()
    spec = CohortSpec("signupMonth", "retention", "month", today, today, 1, "USD")
    scope = "admin" if actor is Actor.ADMIN else "coach"
    drill = Drill(
        spec,
        today.strftime("%Y-%m"),
        0,
        world.ids.get(actor, uuid.uuid4()),
        scope,
        int(now.timestamp()) + 3600,
    )
    return Call(params={"token": issue(world.app.state.settings.signing_secret, drill)})


ANALYTICS_MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/analytics/progress"): Row(
        signed_in(200, 404, 200, 404, 200), _customers_progress
    ),
    ("GET", "/api/v1/analytics/cohorts"): Row(signed_in(403, 403, 200, 200, 200)),
    ("GET", "/api/v1/analytics/cohorts/drilldown"): Row(
        signed_in(403, 403, 200, 200, 200), _own_drilldown_token
    ),
}
