"""Connecting a wearable by OAuth 2 against a local stand-in of the provider: the authorization
URL, the code exchanged for tokens (stored sealed), the provider's user id learnt, a refresh
once the access token expires, and disconnect deleting the tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.core.crypto import unseal
from fitcoach.models import WearableConnection
from tests.factories import Account, Factory, assert_error
from tests.integrations.test_wearable_webhooks import deliver, metrics_of
from tests.integrations.wearables import (
    ACCESS_TOKEN,
    CLIENT_ID,
    FITBIT_DAY,
    GOOD_CODE,
    REFRESHED_TOKEN,
    fitbit_delivery,
    wearable_settings,
)

CONNECTIONS = "/api/v1/integrations/wearables/connections"


@pytest.fixture
def settings_overrides(api_url: str) -> dict[str, object]:
    return wearable_settings(api_url)


async def _state(client: httpx.AsyncClient, customer: Account, provider: str) -> str:
    response = await client.post(f"{CONNECTIONS}/{provider}/authorize", headers=customer.headers)
    assert response.status_code == 200, response.text
    query = parse_qs(urlsplit(response.json()["data"]["authorizationUrl"]).query)
    return query["state"][0]


async def _connect(
    client: httpx.AsyncClient, customer: Account, provider: str, code: str = GOOD_CODE
) -> httpx.Response:
    state = await _state(client, customer, provider)
    return await client.post(
        f"{CONNECTIONS}/{provider}",
        json={"code": code, "state": state},
        headers=customer.headers,
    )


async def _stored(app: FastAPI) -> list[WearableConnection]:
    async with app.state.sessionmaker() as session:
        return list((await session.execute(select(WearableConnection))).scalars())


async def test_the_authorization_url_names_the_app_scopes_and_a_state(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    response = await client.post(f"{CONNECTIONS}/fitbit/authorize", headers=customer.headers)
    assert response.status_code == 200, response.text
    url = urlsplit(response.json()["data"]["authorizationUrl"])
    assert (url.scheme, url.netloc, url.path) == ("https", "www.fitbit.com", "/oauth2/authorize")
    query = parse_qs(url.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert "weight" in query["scope"][0]
    assert query["state"][0]
    assert query["redirect_uri"] == ["http://localhost:8000/wearables/connected"]


async def test_a_connection_stores_sealed_tokens_and_feeds_the_webhooks(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    response = await _connect(client, customer, "fitbit")
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    assert data["provider"] == "fitbit"
    assert data["externalUserId"] == "228S74"
    assert data["tokenExpiresAt"] is not None
    [stored] = await _stored(app)
    assert stored.access_token_sealed is not None
    assert ACCESS_TOKEN not in stored.access_token_sealed
    listed = await client.get(CONNECTIONS, headers=customer.headers)
    assert [item["provider"] for item in listed.json()["data"]] == ["fitbit"]

    notice = {
        "collectionType": "body",
        "date": FITBIT_DAY,
        "ownerId": "228S74",
        "ownerType": "user",
        "subscriptionId": "1",
    }
    assert (await deliver(client, fitbit_delivery([notice]))).json()["data"]["queued"] == 1
    assert [kind for kind, *_ in await metrics_of(app)] == ["weight"]


async def test_oura_connections_learn_the_user_id_from_the_profile(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    response = await _connect(client, customer, "oura")
    assert response.status_code == 201, response.text
    assert response.json()["data"]["externalUserId"] == "oura-user-1"


async def test_a_bad_code_or_someone_elses_state_is_refused(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    customer, other = await factory.customer(), await factory.customer()
    assert_error(
        await _connect(client, customer, "fitbit", "stolen"), 400, code="oauth_exchange_failed"
    )
    state = await _state(client, other, "fitbit")
    response = await client.post(
        f"{CONNECTIONS}/fitbit",
        json={"code": GOOD_CODE, "state": state},
        headers=customer.headers,
    )
    assert_error(response, 400, code="invalid_oauth_state")
    # A partner connects without OAuth; Whoop is not configured here.
    for provider in ("partner", "whoop"):
        response = await client.post(
            f"{CONNECTIONS}/{provider}/authorize", headers=customer.headers
        )
        assert_error(response, 400, code="provider_not_connectable")
    coach = await factory.coach()
    response = await client.post(f"{CONNECTIONS}/fitbit/authorize", headers=coach.headers)
    assert_error(response, 403)
    assert await _stored(app) == []


async def test_an_expired_token_is_refreshed_before_the_fetch(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    assert (await _connect(client, customer, "fitbit")).status_code == 201
    clock.advance(hours=9)
    notice = {
        "collectionType": "activities",
        "date": FITBIT_DAY,
        "ownerId": "228S74",
        "ownerType": "user",
        "subscriptionId": "1",
    }
    assert (await deliver(client, fitbit_delivery([notice]))).json()["data"]["queued"] == 1
    assert [kind for kind, *_ in await metrics_of(app)] == ["resting_heart_rate", "steps"]
    [stored] = await _stored(app)
    settings = app.state.settings
    assert stored.access_token_sealed is not None
    assert (
        unseal(settings.signing_secret, "wearable-token", stored.access_token_sealed)
        == REFRESHED_TOKEN
    )
    assert stored.token_expires_at is not None
    assert stored.token_expires_at > clock.now()


async def test_disconnect_deletes_the_tokens(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer()
    assert (await _connect(client, customer, "fitbit")).status_code == 201
    response = await client.delete(f"{CONNECTIONS}/fitbit", headers=customer.headers)
    assert response.status_code == 200, response.text
    assert await _stored(app) == []
    again = await client.delete(f"{CONNECTIONS}/fitbit", headers=customer.headers)
    assert_error(again, 404, code="wearable_not_connected")
