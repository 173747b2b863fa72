"""`Idempotency-Key` on the paid subscription grant: a retry replays the first answer and grants
nothing more; the key with another body is refused; the answer is shared by every worker (a
second app on the same database); concurrent requests with one key grant once."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from fitcoach.models import Subscription
from tests.factories import Account, Factory, assert_error, with_settings
from tests.robustness.concurrency import at_once
from tests.standalone import standalone_app

pytestmark = with_settings(rate_limit_enabled=False, database_pool_size=20)
GRANT = {"type": "paid", "days": 30}


def grant_path(customer: Account) -> str:
    return f"/api/v1/admin/users/{customer.user_id}/subscription"


def keyed(admin: Account, key: str) -> dict[str, str]:
    return {**admin.headers, "Idempotency-Key": key}


async def paid_grants(app: FastAPI, customer: Account) -> int:
    async with app.state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Subscription)
            .where(Subscription.user_id == uuid.UUID(customer.user_id))
            .where(Subscription.type == "paid")
        )
    return int(count or 0)


async def test_a_retry_with_the_key_replays_the_first_answer(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(password=None)
    customer = await factory.customer()
    key = str(uuid.uuid4())
    first = await client.post(grant_path(customer), json=GRANT, headers=keyed(admin, key))
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    # The same JSON in another key order is the same request.
    again = await client.post(
        grant_path(customer),
        content=b'{"days": 30, "type": "paid"}',
        headers={**keyed(admin, key), "Content-Type": "application/json"},
    )
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await paid_grants(app, customer) == 1


async def test_without_a_key_every_request_grants(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(password=None)
    customer = await factory.customer()
    for _ in range(2):
        response = await client.post(grant_path(customer), json=GRANT, headers=admin.headers)
        assert response.status_code == 201
    assert await paid_grants(app, customer) == 2


async def test_the_key_with_another_body_is_refused(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(password=None)
    customer = await factory.customer()
    other = await factory.customer()
    key = str(uuid.uuid4())
    first = await client.post(grant_path(customer), json=GRANT, headers=keyed(admin, key))
    assert first.status_code == 201
    longer = await client.post(
        grant_path(customer), json={**GRANT, "days": 31}, headers=keyed(admin, key)
    )
    assert_error(longer, 422, code="idempotency_key_reused")
    elsewhere = await client.post(grant_path(other), json=GRANT, headers=keyed(admin, key))
    assert_error(elsewhere, 422, code="idempotency_key_reused")
    assert await paid_grants(app, customer) == 1
    assert await paid_grants(app, other) == 0


async def test_a_failed_request_leaves_the_key_free(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(password=None)
    customer = await factory.customer()
    key = str(uuid.uuid4())
    missing = f"/api/v1/admin/users/{uuid.uuid4()}/subscription"
    assert_error(await client.post(missing, json=GRANT, headers=keyed(admin, key)), 404)
    # The failure committed nothing, the key included: it may name another request now.
    granted = await client.post(grant_path(customer), json=GRANT, headers=keyed(admin, key))
    assert granted.status_code == 201


async def test_keys_belong_to_their_caller(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    first_admin = await factory.admin(password=None)
    second_admin = await factory.admin(password=None)
    customer = await factory.customer()
    key = "shared-by-chance"
    for admin in (first_admin, second_admin):
        response = await client.post(grant_path(customer), json=GRANT, headers=keyed(admin, key))
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers
    assert await paid_grants(app, customer) == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "ключ".encode()])
async def test_a_malformed_key_is_a_validation_error(
    client: httpx.AsyncClient, factory: Factory, key: str | bytes
) -> None:
    admin = await factory.admin(password=None)
    customer = await factory.customer()
    headers: dict[str, str | bytes] = {**admin.headers, "Idempotency-Key": key}
    response = await client.post(grant_path(customer), json=GRANT, headers=headers)
    assert_error(response, 422, code="validation_failed")


async def test_another_worker_replays_the_answer(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(password=None)
    customer = await factory.customer()
    key = str(uuid.uuid4())
    first = await client.post(grant_path(customer), json=GRANT, headers=keyed(admin, key))
    assert first.status_code == 201
    async with standalone_app(app.state.settings) as (_, other_worker):
        again = await other_worker.post(grant_path(customer), json=GRANT, headers=keyed(admin, key))
    assert again.status_code == 201
    assert again.json() == first.json()
    assert await paid_grants(app, customer) == 1


@pytest.mark.postgres_only
async def test_concurrent_requests_with_one_key_grant_once(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(password=None)
    customer = await factory.customer()
    for _ in range(5):
        key = str(uuid.uuid4())
        answers = await at_once(
            client.post(grant_path(customer), json=GRANT, headers=keyed(admin, key))
            for _ in range(6)
        )
        assert {answer.status_code for answer in answers} == {201}, [a.text for a in answers]
        assert len({answer.text for answer in answers}) == 1
        assert sum("Idempotent-Replayed" not in answer.headers for answer in answers) == 1
    assert await paid_grants(app, customer) == 5
