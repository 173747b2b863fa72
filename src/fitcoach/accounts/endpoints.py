"""The admin console's account management: find users, create staff, replace roles, block and
unblock. Admins only."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser
from fitcoach.accounts.dependencies import UserFilterDep
from fitcoach.accounts.schemas import CreateUserIn, SetRolesIn, UserSort
from fitcoach.accounts.service import accounts_service
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.location import Created
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import UserIdPath
from fitcoach.users.schemas import UserOut

router = APIRouter(prefix="/admin", tags=["admin"])


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
    where: UserFilterDep,
    sort: UserSort = "-createdAt",
) -> DataEnvelope[Page[UserOut]]:
    users, total = await accounts_service.list_users(session, where, sort, page)
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
    created: Created,
) -> DataEnvelope[UserOut]:
    user = await accounts_service.create_user(session, settings, body.to_account(), clock.now())
    # The API has no page of one account; its roles are the staff account's admin resource.
    created.route("set_user_roles", userId=user.id)
    return ok(UserOut.model_validate(user))


@router.patch(
    "/users/{userId}/roles",
    response_model=DataEnvelope[UserOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Replace a user's roles; a role taken away stops working on their next request (admin)",
)
async def set_user_roles(
    user_id: UserIdPath,
    body: SetRolesIn,
    admin: AdminUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[UserOut]:
    user = await accounts_service.set_roles(session, admin, user_id, set(body.roles), clock.now())
    return ok(UserOut.model_validate(user))


@router.post(
    "/users/{userId}/block",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 422),
    summary="Block a user: sign-in refused, every session and refresh token ended (admin)",
)
async def block_user(
    user_id: UserIdPath, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await accounts_service.block_user(session, admin, user_id, clock.now())
    return said("User blocked successfully")


@router.post(
    "/users/{userId}/unblock",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 422),
    summary="Unblock a user; they sign in again to get new tokens (admin)",
)
async def unblock_user(
    user_id: UserIdPath, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await accounts_service.unblock_user(session, user_id, clock.now())
    return said("User unblocked successfully")
