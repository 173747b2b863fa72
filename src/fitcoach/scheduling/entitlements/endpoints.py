"""The entitlement ledger: read by the customer, their coach or an admin; adjusted by admins."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser, CurrentUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.pagination import Page, PageRequest, PageRequestDep
from fitcoach.http.paths import CustomerIdPath
from fitcoach.idempotency.dependencies import IdempotentRoute, idempotent
from fitcoach.scheduling.entitlements.schemas import (
    EntitlementAdjustmentIn,
    EntitlementEntryOut,
    SessionBalanceOut,
)
from fitcoach.scheduling.entitlements.service import Entitlements, entitlement_service

router = APIRouter(tags=["scheduling"], route_class=IdempotentRoute)


def _shaped(found: Entitlements, page: PageRequest) -> SessionBalanceOut:
    listed = Page[EntitlementEntryOut].of(
        [EntitlementEntryOut.of(entry) for entry in found.entries], found.total, page
    )
    return SessionBalanceOut(
        balance=found.balance, items=listed.items, pagination=listed.pagination
    )


@router.get(
    "/customers/{customerId}/entitlements",
    response_model=DataEnvelope[SessionBalanceOut],
    responses=error_responses(401, 404, 422),
    summary="A customer's session balance and ledger, newest first (them, their coach, admins)",
)
async def list_entitlements(
    customer_id: CustomerIdPath,
    actor: CurrentUser,
    session: ReadSession,
    page: PageRequestDep,
    clock: ClockDep,
) -> DataEnvelope[SessionBalanceOut]:
    found = await entitlement_service.of_customer(session, actor, customer_id, page, clock.now())
    return ok(_shaped(found, page))


@router.post(
    "/admin/customers/{customerId}/entitlements",
    response_model=DataEnvelope[SessionBalanceOut],
    status_code=201,
    # Granting sessions is worth money: a retry must not grant twice.
    dependencies=[idempotent],
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Grant sessions to a customer, or take some back (admins)",
)
async def adjust_entitlements(
    customer_id: CustomerIdPath,
    body: EntitlementAdjustmentIn,
    admin: AdminUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[SessionBalanceOut]:
    now = clock.now()
    await entitlement_service.adjust(session, admin.id, body.to_grant(customer_id, now), now)
    first = PageRequest(page=1, page_size=20)
    found = await entitlement_service.of_customer(session, admin, customer_id, first, now)
    return ok(_shaped(found, first))
