"""A customer's connections to wearable providers: started by sending them to the provider's
authorization page, completed by exchanging the code the provider sent back (tokens sealed
before they are stored), refreshed when expired, and deleted with their tokens on disconnect."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.config import Settings
from fitcoach.core.crypto import seal, unseal
from fitcoach.integrations.wearables import oauth
from fitcoach.integrations.wearables.api import provider_user_id
from fitcoach.integrations.wearables.exceptions import WearableNotConnected
from fitcoach.integrations.wearables.repository import wearables_repository
from fitcoach.integrations.wearables.signatures import WearableProvider
from fitcoach.models import WearableConnection

_TOKEN_PURPOSE = "wearable-token"


@dataclass(frozen=True)
class Callback:
    provider: WearableProvider
    code: str
    state: str


def seal_token(settings: Settings, token: str) -> str:
    return seal(settings.signing_secret, _TOKEN_PURPOSE, token)


def _store(connection: WearableConnection, settings: Settings, tokens: oauth.Tokens) -> None:
    connection.access_token_sealed = seal_token(settings, tokens.access_token)
    connection.refresh_token_sealed = (
        seal_token(settings, tokens.refresh_token) if tokens.refresh_token else None
    )
    connection.token_expires_at = tokens.expires_at


class ConnectionsService:
    def authorization_url(
        self, settings: Settings, provider: WearableProvider, customer_id: uuid.UUID, now: datetime
    ) -> str:
        return oauth.authorization_url(settings, provider, customer_id, now)

    async def complete(
        self,
        session: AsyncSession,
        customer_id: uuid.UUID,
        callback: Callback,
        settings: Settings,
        now: datetime,
    ) -> WearableConnection:
        """Exchange the code and keep the tokens; connecting again replaces them."""
        oauth.check_state(settings, callback.provider, customer_id, callback.state, now)
        tokens = await oauth.exchange_code(settings, callback.provider, callback.code, now)
        external_id = tokens.external_user_id or await provider_user_id(
            settings, callback.provider, tokens.access_token
        )
        connection = await wearables_repository.connection_of(
            session, customer_id, callback.provider.value
        )
        if connection is None:
            connection = WearableConnection(
                id=uuid.uuid4(), customer_id=customer_id, provider=callback.provider.value
            )
            session.add(connection)
        connection.external_user_id = external_id
        _store(connection, settings, tokens)
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="wearable.connected",
                resource_type="wearable_connection",
                resource_id=connection.id,
                details={"provider": callback.provider.value},
            ),
            now,
        )
        return connection

    async def connections_of(
        self, session: AsyncSession, customer_id: uuid.UUID
    ) -> list[WearableConnection]:
        return await wearables_repository.connections_of(session, customer_id)

    async def disconnect(
        self,
        session: AsyncSession,
        customer_id: uuid.UUID,
        provider: WearableProvider,
        now: datetime,
    ) -> None:
        connection = await wearables_repository.connection_of(session, customer_id, provider.value)
        if connection is None:
            raise WearableNotConnected()
        await session.delete(connection)
        await session.flush()
        audit_service.record(
            session,
            AuditEvent(
                action="wearable.disconnected",
                resource_type="wearable_connection",
                resource_id=connection.id,
                details={"provider": provider.value},
            ),
            now,
        )

    async def access_token(
        self, connection: WearableConnection, settings: Settings, now: datetime
    ) -> str | None:
        """The connection's access token, refreshed (and stored) first if it has expired."""
        if connection.access_token_sealed is None:
            return None
        if oauth.expired(connection.token_expires_at, now) and connection.refresh_token_sealed:
            refresh_token = unseal(
                settings.signing_secret, _TOKEN_PURPOSE, connection.refresh_token_sealed
            )
            provider = WearableProvider(connection.provider)
            tokens = await oauth.refresh(settings, provider, refresh_token, now)
            _store(connection, settings, tokens)
            return tokens.access_token
        return unseal(settings.signing_secret, _TOKEN_PURPOSE, connection.access_token_sealed)


connections_service = ConnectionsService()
