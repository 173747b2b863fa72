"""Promo codes, administered by admins: create, list, read, change the rules, delete one never
redeemed."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser
from fitcoach.commerce.promos.schemas import PromoCodeIn, PromoCodeOut, PromoCodeUpdateIn
from fitcoach.commerce.promos.service import promo_service
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.location import Created
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import PromoCodeIdPath

router = APIRouter(prefix="/admin/promo-codes", tags=["admin"])


@router.post(
    "",
    response_model=DataEnvelope[PromoCodeOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 409, 422),
    summary="Create a promo code: percentOff, or amountOff with its currency (admin)",
)
async def create_promo_code(
    body: PromoCodeIn, admin: AdminUser, session: DbSession, clock: ClockDep, created: Created
) -> DataEnvelope[PromoCodeOut]:
    promo = await promo_service.create(session, body.to_draft(), clock.now())
    created.route("get_promo_code", promoCodeId=promo.id)
    return ok(PromoCodeOut.of(promo))


@router.get(
    "",
    response_model=DataEnvelope[Page[PromoCodeOut]],
    responses=error_responses(401, 403, 422),
    summary="Promo codes, newest first (admin)",
)
async def list_promo_codes(
    admin: AdminUser, session: ReadSession, page: PageRequestDep
) -> DataEnvelope[Page[PromoCodeOut]]:
    promos, total = await promo_service.page(session, page)
    return ok(Page[PromoCodeOut].of([PromoCodeOut.of(one) for one in promos], total, page))


@router.get(
    "/{promoCodeId}",
    response_model=DataEnvelope[PromoCodeOut],
    responses=error_responses(401, 403, 404, 422),
    summary="One promo code with its redemption count (admin)",
)
async def get_promo_code(
    promo_id: PromoCodeIdPath, admin: AdminUser, session: ReadSession
) -> DataEnvelope[PromoCodeOut]:
    return ok(PromoCodeOut.of(await promo_service.get(session, promo_id)))


@router.patch(
    "/{promoCodeId}",
    response_model=DataEnvelope[PromoCodeOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Change a promo code's rules: validity, products, limits, active (admin)",
)
async def update_promo_code(
    promo_id: PromoCodeIdPath,
    body: PromoCodeUpdateIn,
    admin: AdminUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[PromoCodeOut]:
    promo = await promo_service.update(session, promo_id, body.to_changes(), clock.now())
    return ok(PromoCodeOut.of(promo))


@router.delete(
    "/{promoCodeId}",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Delete a promo code never redeemed (admin); deactivate a redeemed one instead",
)
async def delete_promo_code(
    promo_id: PromoCodeIdPath, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await promo_service.delete(session, promo_id, clock.now())
    return said("Promo code deleted")
