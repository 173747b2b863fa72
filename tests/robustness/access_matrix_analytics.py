"""The access matrix's rows for analytics (see access_matrix for the rules).

A customer's progress is read by the customer, their assigned coach and admins; anyone else
gets 404, as for a customer who does not exist. Cohorts are for staff: a coach's table and
drilldown cover their own clients (none, for the unassigned coach: an empty answer, not a
refusal), an admin's everyone.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

from fitcoach.analytics.cohorts.repository import CohortSpec
from fitcoach.analytics.cohorts.tokens import Drill, issue
from fitcoach.analytics.exports.service import EXPORTS_STATE, Exports, exports_service
from fitcoach.models import FinanceExport
from tests.robustness.cells import Call, Row, admin_only, body_of, public, reads_only, signed_in
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


async def _ready_export(world: World, actor: Actor) -> Call:
    """A built export's signed link, as the finance report would list it."""
    now = world.app.state.clock.now()
    exports: Exports = getattr(world.app.state, EXPORTS_STATE)
    export = FinanceExport(
        id=uuid.uuid4(),
        format="csv",
        query={"from": None, "to": None, "currency": "USD", "groupBy": "product"},
        status="ready",
        size=5,
        completed_at=now,
        expires_at=now + timedelta(hours=1),
    )
    async with world.app.state.sessionmaker() as session, session.begin():
        session.add(export)
    await exports.storage.put(f"finance/{export.id}.csv", b"a,b\n")
    link = exports_service.link(export, exports.signing_secret, now)
    assert link is not None
    query = dict(parse_qsl(urlsplit(link.url).query))
    return Call(path={"exportId": str(export.id)}, params=query)


ANALYTICS_MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/analytics/progress"): Row(
        signed_in(200, 404, 200, 404, 200), _customers_progress
    ),
    ("GET", "/api/v1/analytics/cohorts"): Row(signed_in(403, 403, 200, 200, 200)),
    ("GET", "/api/v1/analytics/cohorts/drilldown"): Row(
        signed_in(403, 403, 200, 200, 200), _own_drilldown_token
    ),
    # The finance report and its exports: admins; a download: whoever holds the signed link.
    ("GET", "/api/v1/reports/finance"): Row(admin_only()),
    ("POST", "/api/v1/reports/finance/exports"): Row(
        admin_only(202), body_of(lambda world: {"format": "csv"})
    ),
    ("GET", "/api/v1/exports/{exportId}/download"): Row(public(), _ready_export),
}
