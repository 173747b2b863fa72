"""GET /plans/training|diet/{userId}: the plan a user sees for their subscription (free: the
default plan; paid: their newest custom plan, else the default) and who may look."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from fitcoach.core.clock import FrozenClock
from tests.factories import Account, Factory, assert_error
from tests.plans.payloads import (
    PLANS,
    create_plan,
    grant_paid,
    set_default_plan,
    signed_in_again,
)

FORBIDDEN = "You do not have permission to perform this action"
SUBSCRIPTION_REQUIRED = "An active subscription is required to view plans"


async def _shown(
    client: httpx.AsyncClient, plan_type: str, user: Account, reader: Account | None = None
) -> dict[str, Any]:
    response = await client.get(
        f"{PLANS}/{plan_type}/{user.user_id}", headers=(reader or user).headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "success"
    data: dict[str, Any] = response.json()["data"]
    return data


@pytest.mark.parametrize("plan_type", ["training", "diet"])
async def test_free_users_get_the_default_plan(
    client: httpx.AsyncClient, factory: Factory, plan_type: str
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    default = await create_plan(client, admin, plan_type)
    await create_plan(client, admin, plan_type, userId=customer.user_id)
    await set_default_plan(client, admin, plan_type, default["id"])

    shown = await _shown(client, plan_type, customer)
    assert shown == {"plan": default, "source": "default", "subscriptionType": "free"}


@pytest.mark.parametrize("plan_type", ["training", "diet"])
async def test_free_users_without_a_default_get_404(
    client: httpx.AsyncClient, factory: Factory, plan_type: str
) -> None:
    customer = await factory.customer()
    response = await client.get(f"{PLANS}/{plan_type}/{customer.user_id}", headers=customer.headers)
    assert_error(response, 404, f"No default {plan_type} plan is configured")


@pytest.mark.parametrize("plan_type", ["training", "diet"])
async def test_paid_users_get_their_newest_custom_plan(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, plan_type: str
) -> None:
    admin = await factory.admin()
    coach = await factory.coach()
    customer, other_customer = await factory.customer(), await factory.customer()
    await factory.assign_coach(coach, customer)
    await factory.assign_coach(coach, other_customer)
    await grant_paid(client, admin, customer)
    default = await create_plan(client, admin, plan_type)
    await set_default_plan(client, admin, plan_type, default["id"])
    await create_plan(client, coach, plan_type, name="Older", userId=customer.user_id)
    clock.advance(seconds=1)
    newest = await create_plan(client, coach, plan_type, name="Newest", userId=customer.user_id)
    clock.advance(seconds=1)
    await create_plan(client, coach, plan_type, userId=other_customer.user_id)
    other_type = "diet" if plan_type == "training" else "training"
    await create_plan(client, coach, other_type, userId=customer.user_id)

    shown = await _shown(client, plan_type, customer)
    assert shown == {"plan": newest, "source": "custom", "subscriptionType": "paid"}


async def test_paid_users_without_a_custom_plan_get_the_default(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    await grant_paid(client, admin, customer)
    default = await create_plan(client, admin, "training")
    await set_default_plan(client, admin, "training", default["id"])
    await create_plan(client, admin, "diet", userId=customer.user_id)

    shown = await _shown(client, "training", customer)
    assert shown == {"plan": default, "source": "default", "subscriptionType": "paid"}


@pytest.mark.parametrize("plan_type", ["training", "diet"])
async def test_paid_users_with_neither_get_404(
    client: httpx.AsyncClient, factory: Factory, plan_type: str
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    await grant_paid(client, admin, customer)
    response = await client.get(f"{PLANS}/{plan_type}/{customer.user_id}", headers=customer.headers)
    assert_error(
        response,
        404,
        f"No custom {plan_type} plan has been assigned and no default {plan_type} plan is "
        "configured",
    )


async def test_an_expired_subscription_is_refused(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    default = await create_plan(client, admin, "training")
    await set_default_plan(client, admin, "training", default["id"])
    assert (await _shown(client, "training", customer))["source"] == "default"

    clock.advance(days=7)
    headers = await signed_in_again(client, customer)
    response = await client.get(f"{PLANS}/training/{customer.user_id}", headers=headers)
    assert_error(response, 403, SUBSCRIPTION_REQUIRED)


async def test_an_expired_paid_subscription_falls_back_to_the_free_one(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    await grant_paid(client, admin, customer, days=1)
    custom = await create_plan(client, admin, "diet", userId=customer.user_id)
    default = await create_plan(client, admin, "diet")
    await set_default_plan(client, admin, "diet", default["id"])
    assert (await _shown(client, "diet", customer))["plan"] == custom

    clock.advance(days=2)
    customer.headers = await signed_in_again(client, customer)
    assert await _shown(client, "diet", customer) == {
        "plan": default,
        "source": "default",
        "subscriptionType": "free",
    }
    clock.advance(days=5)
    customer.headers = await signed_in_again(client, customer)
    response = await client.get(f"{PLANS}/diet/{customer.user_id}", headers=customer.headers)
    assert_error(response, 403, SUBSCRIPTION_REQUIRED)


async def test_zero_free_days_is_no_subscription(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    default = await create_plan(client, admin, "training")
    await set_default_plan(client, admin, "training", default["id"])
    response = await client.post(
        "/api/v1/admin/settings/user/free-days",
        json={"userId": customer.user_id, "freeDays": 0},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text

    response = await client.get(f"{PLANS}/training/{customer.user_id}", headers=customer.headers)
    assert_error(response, 403, SUBSCRIPTION_REQUIRED)


async def test_users_without_any_subscription_are_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    customer = await factory.customer(with_free_trial=False)
    response = await client.get(f"{PLANS}/diet/{customer.user_id}", headers=customer.headers)
    assert_error(response, 403, SUBSCRIPTION_REQUIRED)


async def test_admins_view_any_users_plan(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    await grant_paid(client, admin, customer)
    custom = await create_plan(client, admin, "training", userId=customer.user_id)

    shown = await _shown(client, "training", customer, reader=admin)
    assert shown == {"plan": custom, "source": "custom", "subscriptionType": "paid"}


async def test_nobody_else_views_a_users_plan(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    coach = await factory.coach()
    customer, other_customer = await factory.customer(), await factory.customer()
    await factory.assign_coach(coach, customer)
    await create_plan(client, coach, "training", userId=customer.user_id)
    # A coach no longer assigned to the customer is one of the others.
    await factory.unassign_coach(coach, customer)
    await set_default_plan(client, admin, "training", (await create_plan(client, admin))["id"])

    for reader in (other_customer, coach):
        response = await client.get(f"{PLANS}/training/{customer.user_id}", headers=reader.headers)
        assert_error(response, 403, FORBIDDEN)
    response = await client.get(f"{PLANS}/diet/{uuid.uuid4()}", headers=customer.headers)
    assert_error(response, 403, FORBIDDEN)
    response = await client.get(f"{PLANS}/training/{customer.user_id}")
    assert_error(response, 401, "Authentication required")


async def test_admins_asking_for_an_unknown_user_get_404(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    response = await client.get(f"{PLANS}/training/{uuid.uuid4()}", headers=admin.headers)
    assert_error(response, 404, "User not found")


async def test_a_malformed_user_id_is_422(client: httpx.AsyncClient, factory: Factory) -> None:
    customer = await factory.customer()
    assert_error(await client.get(f"{PLANS}/training/not-a-uuid", headers=customer.headers), 422)
    # A single segment is a plan id, so "training" alone is not a route of its own.
    assert_error(await client.get(f"{PLANS}/training", headers=customer.headers), 422)
