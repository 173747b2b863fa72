"""Admin endpoints over customers' subscriptions: a user's free days, a granted paid term.
Admins only."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser
from fitcoach.db.session import DbSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.location import Created
from fitcoach.http.paths import UserIdPath
from fitcoach.idempotency.dependencies import IdempotentRoute, idempotent
from fitcoach.subscriptions.schemas import (
    GrantSubscriptionIn,
    SubscriptionGrantOut,
    SubscriptionOut,
    UserFreeDaysIn,
)
from fitcoach.subscriptions.service import subscription_service

router = APIRouter(prefix="/admin", tags=["admin"], route_class=IdempotentRoute)


@router.post(
    "/settings/user/free-days",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Change the length of one user's free subscription, keeping its start (admin)",
)
async def set_user_free_days(
    body: UserFreeDaysIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await subscription_service.change_free_days(
        session, admin, body.user_id, body.free_days, clock.now()
    )
    return said("User free days updated successfully")


@router.post(
    "/users/{userId}/subscription",
    response_model=DataEnvelope[SubscriptionGrantOut],
    status_code=201,
    # A paid grant: a retried request must not grant twice.
    dependencies=[idempotent],
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Grant a paid subscription of `days` days starting now (admin)",
)
async def grant_subscription(
    user_id: UserIdPath,
    body: GrantSubscriptionIn,
    admin: AdminUser,
    session: DbSession,
    clock: ClockDep,
    created: Created,
) -> DataEnvelope[SubscriptionGrantOut]:
    now = clock.now()
    created.route("grant_subscription", userId=user_id)
    subscription = await subscription_service.grant_paid_by(session, admin, user_id, body.days, now)
    return ok(SubscriptionGrantOut(subscription=SubscriptionOut.of(subscription, now)))
