"""Admin endpoints of the auth-flow update (settings) and the admin console (blocking users,
granting paid subscriptions). Admins only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter

from fitcoach.admin.schemas import (
    CreateUserIn,
    DefaultFreeDaysIn,
    DefaultPlanIn,
    GrantSubscriptionIn,
    SetRolesIn,
    SettingsOut,
    SubscriptionGrantOut,
    UserFreeDaysIn,
    UserSort,
)
from fitcoach.admin.service import admin_service
from fitcoach.auth.dependencies import AdminUser, require_role
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.kit.dependencies import ClockDep, SettingsDep
from fitcoach.kit.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.kit.pagination import Page, PageRequestDep
from fitcoach.kit.search import SearchQuery
from fitcoach.models import User
from fitcoach.models.enums import PlanType, Role
from fitcoach.subscriptions.schemas import SubscriptionOut
from fitcoach.users.schemas import UserOut

router = APIRouter(prefix="/admin", tags=["admin"])

# The auth-flow update names this route's refusal specifically.
FreeDaysAdmin = Annotated[
    User, require_role(Role.ADMIN, message="Only admins can set default free days")
]


@router.get(
    "/settings",
    response_model=DataEnvelope[SettingsOut],
    responses=error_responses(401, 403),
    summary="Every business setting, with its default when unset (admin)",
)
async def get_settings(admin: AdminUser, session: ReadSession) -> DataEnvelope[SettingsOut]:
    return ok(SettingsOut(settings=await admin_service.settings(session)))


@router.post(
    "/settings/free-days/default",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 422),
    summary="Set the free days every new registration gets (admin)",
)
async def set_default_free_days(
    body: DefaultFreeDaysIn, admin: FreeDaysAdmin, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await admin_service.set_default_free_days(session, admin, body.days, clock.now())
    return said("Default free days updated successfully")


@router.post(
    "/settings/training-plan/default",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Set the training plan free users get, and paid users without a custom one (admin)",
)
async def set_default_training_plan(
    body: DefaultPlanIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await admin_service.set_default_plan(
        session, admin, PlanType.training, body.plan_id, clock.now()
    )
    return said("Default training plan updated successfully")


@router.post(
    "/settings/diet-plan/default",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Set the diet plan free users get, and paid users without a custom one (admin)",
)
async def set_default_diet_plan(
    body: DefaultPlanIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await admin_service.set_default_plan(session, admin, PlanType.diet, body.plan_id, clock.now())
    return said("Default diet plan updated successfully")


@router.post(
    "/settings/user/free-days",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Change the length of one user's free subscription, keeping its start (admin)",
)
async def set_user_free_days(
    body: UserFreeDaysIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await admin_service.set_user_free_days(
        session, admin, body.user_id, body.free_days, clock.now()
    )
    return said("User free days updated successfully")


@router.get(
    "/users",
    response_model=DataEnvelope[Page[UserOut]],
    responses=error_responses(401, 403, 422),
    summary="Find accounts by name, phone or email; filter by role and blocked (admin)",
)
async def list_users(
    admin: AdminUser,
    session: ReadSession,
    page: PageRequestDep,
    q: SearchQuery = None,
    role: Role | None = None,
    blocked: bool | None = None,
    sort: UserSort = "-createdAt",
) -> DataEnvelope[Page[UserOut]]:
    users, total = await admin_service.list_users(
        session, text=q, role=role, blocked=blocked, sort=sort, page=page
    )
    return ok(Page[UserOut].of([UserOut.model_validate(user) for user in users], total, page))


@router.post(
    "/users",
    response_model=DataEnvelope[UserOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 409, 422),
    summary="Create a coach or an admin account with a password (admin)",
)
async def create_user(
    body: CreateUserIn,
    admin: AdminUser,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
) -> DataEnvelope[UserOut]:
    user = await admin_service.create_user(session, settings, body, clock.now())
    return ok(UserOut.model_validate(user))


@router.patch(
    "/users/{user_id}/roles",
    response_model=DataEnvelope[UserOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Replace a user's roles; a role taken away stops working on their next request (admin)",
)
async def set_user_roles(
    user_id: uuid.UUID,
    body: SetRolesIn,
    admin: AdminUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[UserOut]:
    user = await admin_service.set_roles(session, admin, user_id, set(body.roles), clock.now())
    return ok(UserOut.model_validate(user))


@router.post(
    "/users/{user_id}/block",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 422),
    summary="Block a user: sign-in refused, every session and refresh token ended (admin)",
)
async def block_user(
    user_id: uuid.UUID, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await admin_service.block_user(session, admin, user_id, clock.now())
    return said("User blocked successfully")


@router.post(
    "/users/{user_id}/unblock",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 422),
    summary="Unblock a user; they sign in again to get new tokens (admin)",
)
async def unblock_user(
    user_id: uuid.UUID, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await admin_service.unblock_user(session, user_id, clock.now())
    return said("User unblocked successfully")


@router.post(
    "/users/{user_id}/subscription",
    response_model=DataEnvelope[SubscriptionGrantOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Grant a paid subscription of `days` days starting now (admin)",
)
async def grant_subscription(
    user_id: uuid.UUID,
    body: GrantSubscriptionIn,
    admin: AdminUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[SubscriptionGrantOut]:
    now = clock.now()
    subscription = await admin_service.grant_paid_subscription(
        session, admin, user_id, body.days, now
    )
    return ok(SubscriptionGrantOut(subscription=SubscriptionOut.of(subscription, now)))
