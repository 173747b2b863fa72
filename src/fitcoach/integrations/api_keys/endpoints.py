"""/api/v1/integrations/api-keys (admins): issue a key shown once, list keys (never a secret),
rotate one with an overlap window, revoke one. Every change is audited."""

from __future__ import annotations

from fastapi import APIRouter, Body

from fitcoach.access.dependencies import AdminUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import ApiKeyIdPath
from fitcoach.integrations.api_keys.schemas import ApiKeyIn, ApiKeyOut, IssuedApiKeyOut, RotateIn
from fitcoach.integrations.api_keys.service import api_keys_service

router = APIRouter(prefix="/integrations/api-keys", tags=["integrations"])


@router.post(
    "",
    response_model=DataEnvelope[IssuedApiKeyOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 422),
    summary="Issue an API key for a partner (admin; the key is shown only in this answer)",
)
async def issue_partner_key(
    body: ApiKeyIn, admin: AdminUser, session: DbSession, settings: SettingsDep
) -> DataEnvelope[IssuedApiKeyOut]:
    issued = await api_keys_service.create(session, admin, body.to_draft(), settings)
    return ok(IssuedApiKeyOut.issued(issued, admin.name))


@router.get(
    "",
    response_model=DataEnvelope[Page[ApiKeyOut]],
    responses=error_responses(401, 403, 422),
    summary="The API keys, newest first, with who created them and when each was last used "
    "(admin; never a secret)",
)
async def list_partner_keys(
    _admin: AdminUser, session: ReadSession, page: PageRequestDep
) -> DataEnvelope[Page[ApiKeyOut]]:
    keys, total = await api_keys_service.page(session, page)
    return ok(Page[ApiKeyOut].of([ApiKeyOut.listed(key) for key in keys], total, page))


@router.post(
    "/{apiKeyId}/rotate",
    response_model=DataEnvelope[IssuedApiKeyOut],
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Replace an API key's secret; the old one keeps working for overlapMinutes "
    "(admin; the new key is shown only in this answer)",
)
async def rotate_partner_key(
    api_key_id: ApiKeyIdPath,
    _admin: AdminUser,
    session: DbSession,
    settings: SettingsDep,
    clock: ClockDep,
    body: RotateIn = Body(default_factory=RotateIn),
) -> DataEnvelope[IssuedApiKeyOut]:
    issued = await api_keys_service.rotate(session, api_key_id, body.overlap, settings, clock.now())
    return ok(IssuedApiKeyOut.issued(issued, None))


@router.post(
    "/{apiKeyId}/revoke",
    response_model=DataEnvelope[ApiKeyOut],
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Revoke an API key: refused from the next request on (admin)",
)
async def revoke_partner_key(
    api_key_id: ApiKeyIdPath, _admin: AdminUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[ApiKeyOut]:
    return ok(ApiKeyOut.of(await api_keys_service.revoke(session, api_key_id, clock.now())))
