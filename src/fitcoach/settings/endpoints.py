"""Admin endpoints of the auth-flow update's business settings. Admins only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser, require_role
from fitcoach.access.principal import Principal
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.models.enums import Role
from fitcoach.settings.schemas import DefaultFreeDaysIn, SettingsOut
from fitcoach.settings.service import SettingKey, setting_service

router = APIRouter(prefix="/admin", tags=["admin"])

# The auth-flow update names this route's refusal specifically.
FreeDaysAdmin = Annotated[
    Principal, require_role(Role.ADMIN, message="Only admins can set default free days")
]


@router.get(
    "/settings",
    response_model=DataEnvelope[SettingsOut],
    responses=error_responses(401, 403),
    summary="Every business setting, with its default when unset (admin)",
)
async def get_settings(admin: AdminUser, session: ReadSession) -> DataEnvelope[SettingsOut]:
    return ok(SettingsOut(settings=await setting_service.all(session)))


@router.post(
    "/settings/free-days/default",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 422),
    summary="Set the free days every new registration gets (admin)",
)
async def set_default_free_days(
    body: DefaultFreeDaysIn, admin: FreeDaysAdmin, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    await setting_service.set(
        session, SettingKey.DEFAULT_FREE_DAYS, str(body.days), admin.id, clock.now()
    )
    return said("Default free days updated successfully")
