"""Who may do what with one customer, route by route: the customer, another customer, the coach
assigned to them, a coach never assigned, a coach whose assignment ended (after writing a plan
for them) and an admin. Every cell of the table is one real request. Also: the signed-in routes
of accounts, onboarding and customer management refuse anonymous callers."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.factories import Account, Factory, assert_error
from tests.plans.payloads import PLANS, create_plan, plan_body, set_default_plan

ACTORS = (
    "customer",
    "other customer",
    "assigned coach",
    "unassigned coach",
    "former coach",
    "admin",
)

# Expected HTTP status per route and actor, in ACTORS order. A coach or customer who may not see
# the customer gets 404 (nothing about the account is revealed); one who sees it but may not do
# this gets 403; routes for a role the caller lacks answer 403.
EXPECTED: dict[str, tuple[int, ...]] = {
    "GET profile": (200, 404, 200, 404, 404, 200),
    "PATCH profile": (200, 404, 403, 404, 404, 200),
    "POST coaches": (403, 403, 403, 403, 403, 201),
    "DELETE coaches": (403, 403, 403, 403, 403, 200),
    "GET coaches/me/customers": (403, 403, 200, 200, 200, 403),
    "GET plan by admin": (200, 404, 200, 404, 404, 200),
    "GET plan by former coach": (200, 404, 200, 404, 404, 200),
    "PATCH plan by admin": (403, 403, 200, 404, 404, 200),
    "PATCH plan by former coach": (403, 403, 200, 404, 404, 200),
    "DELETE plan": (403, 403, 200, 404, 404, 200),
    "POST plan for customer": (403, 403, 201, 403, 403, 201),
    "GET plans/training/{userId}": (200, 403, 200, 403, 403, 200),
}


@dataclass
class World:
    customer: Account
    actors: dict[str, Account]
    admin: Account
    spare_coach: Account
    plan_by_admin: str
    plan_by_former_coach: str


async def _build(client: httpx.AsyncClient, factory: Factory) -> World:
    admin = await factory.admin(password=None)
    customer = await factory.customer(password=None)
    coaches = [await factory.coach(password=None) for _ in range(4)]
    assigned, unassigned, former, spare = coaches

    async def assignment(method: str, coach: Account) -> None:
        path = f"/api/v1/customers/{customer.user_id}/coaches"
        if method == "POST":
            response = await client.post(
                path, json={"coachId": coach.user_id}, headers=admin.headers
            )
        else:
            response = await client.delete(f"{path}/{coach.user_id}", headers=admin.headers)
        assert response.status_code in (200, 201), response.text

    await assignment("POST", assigned)
    await assignment("POST", former)
    plan_by_former = await create_plan(client, former, userId=customer.user_id)
    await assignment("DELETE", former)
    plan_by_admin = await create_plan(client, admin, userId=customer.user_id)
    await set_default_plan(client, admin, "training", (await create_plan(client, admin))["id"])
    return World(
        customer=customer,
        actors={
            "customer": customer,
            "other customer": await factory.customer(password=None),
            "assigned coach": assigned,
            "unassigned coach": unassigned,
            "former coach": former,
            "admin": admin,
        },
        admin=admin,
        spare_coach=spare,
        plan_by_admin=plan_by_admin["id"],
        plan_by_former_coach=plan_by_former["id"],
    )


Request = Callable[[httpx.AsyncClient, World, Account], Awaitable[httpx.Response]]


def _requests() -> dict[str, Request]:
    def profile(world: World) -> str:
        return f"/api/v1/customers/{world.customer.user_id}/profile"

    def coaches(world: World) -> str:
        return f"/api/v1/customers/{world.customer.user_id}/coaches"

    async def delete_fresh_plan(
        client: httpx.AsyncClient, world: World, actor: Account
    ) -> httpx.Response:
        plan = await create_plan(client, world.admin, userId=world.customer.user_id)
        return await client.delete(f"{PLANS}/{plan['id']}", headers=actor.headers)

    return {
        "GET profile": lambda client, world, actor: client.get(
            profile(world), headers=actor.headers
        ),
        "PATCH profile": lambda client, world, actor: client.patch(
            profile(world), json={"age": 33}, headers=actor.headers
        ),
        "POST coaches": lambda client, world, actor: client.post(
            coaches(world), json={"coachId": world.spare_coach.user_id}, headers=actor.headers
        ),
        "DELETE coaches": lambda client, world, actor: client.delete(
            f"{coaches(world)}/{world.spare_coach.user_id}", headers=actor.headers
        ),
        "GET coaches/me/customers": lambda client, world, actor: client.get(
            "/api/v1/coaches/me/customers", headers=actor.headers
        ),
        "GET plan by admin": lambda client, world, actor: client.get(
            f"{PLANS}/{world.plan_by_admin}", headers=actor.headers
        ),
        "GET plan by former coach": lambda client, world, actor: client.get(
            f"{PLANS}/{world.plan_by_former_coach}", headers=actor.headers
        ),
        "PATCH plan by admin": lambda client, world, actor: client.patch(
            f"{PLANS}/{world.plan_by_admin}", json={"name": "Renamed"}, headers=actor.headers
        ),
        "PATCH plan by former coach": lambda client, world, actor: client.patch(
            f"{PLANS}/{world.plan_by_former_coach}",
            json={"name": "Renamed"},
            headers=actor.headers,
        ),
        "DELETE plan": delete_fresh_plan,
        "POST plan for customer": lambda client, world, actor: client.post(
            PLANS, json=plan_body(userId=world.customer.user_id), headers=actor.headers
        ),
        "GET plans/training/{userId}": lambda client, world, actor: client.get(
            f"{PLANS}/training/{world.customer.user_id}", headers=actor.headers
        ),
    }


async def test_who_may_do_what_with_a_customer(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await _build(client, factory)
    requests = _requests()
    assert requests.keys() == EXPECTED.keys()
    seen: dict[str, tuple[int, ...]] = {}
    for route, request in requests.items():
        statuses = []
        for name in ACTORS:
            response = await request(client, world, world.actors[name])
            body = response.json()
            if response.status_code >= 400:
                # Every refusal is the error envelope, never a 500.
                assert (body["status"], body["statusCode"]) == ("error", response.status_code)
            statuses.append(response.status_code)
        seen[route] = tuple(statuses)
    assert seen == EXPECTED


async def test_a_coach_lists_only_their_current_customers(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await _build(client, factory)

    async def listed(name: str) -> list[str]:
        response = await client.get(
            "/api/v1/coaches/me/customers", headers=world.actors[name].headers
        )
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["data"]["items"]]

    assert await listed("assigned coach") == [world.customer.user_id]
    assert await listed("unassigned coach") == []
    assert await listed("former coach") == []


SIGNED_IN_ROUTES = [
    ("GET", "/api/v1/auth/me"),
    ("POST", "/api/v1/auth/mfa/totp/setup"),
    ("POST", "/api/v1/auth/mfa/totp/confirm"),
    ("DELETE", "/api/v1/auth/mfa/totp"),
    ("GET", "/api/v1/onboarding/questionnaire"),
    ("POST", "/api/v1/onboarding/intake"),
    ("GET", "/api/v1/admin/questionnaires"),
    ("POST", "/api/v1/admin/questionnaires"),
    ("GET", "/api/v1/customers/{id}/profile"),
    ("PATCH", "/api/v1/customers/{id}/profile"),
    ("POST", "/api/v1/customers/{id}/coaches"),
    ("DELETE", "/api/v1/customers/{id}/coaches/{id}"),
    ("GET", "/api/v1/coaches/me/customers"),
    ("GET", "/api/v1/admin/users"),
    ("POST", "/api/v1/admin/users"),
    ("PATCH", "/api/v1/admin/users/{id}/roles"),
]


@pytest.mark.parametrize(("method", "path"), SIGNED_IN_ROUTES, ids=" ".join)
async def test_signed_in_routes_refuse_anonymous_callers(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path.replace("{id}", str(uuid.uuid4())), json={})
    assert_error(response, 401, "Authentication required")
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_malformed_ids_in_customer_paths_are_422(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(password=None)
    coach_id = str(uuid.uuid4())
    for method, path in [
        ("GET", "/api/v1/customers/nope/profile"),
        ("PATCH", "/api/v1/customers/nope/profile"),
        ("POST", "/api/v1/customers/nope/coaches"),
        ("DELETE", f"/api/v1/customers/nope/coaches/{coach_id}"),
        ("DELETE", f"/api/v1/customers/{coach_id}/coaches/nope"),
    ]:
        response = await client.request(
            method, path, json={"coachId": coach_id}, headers=admin.headers
        )
        assert_error(response, 422)
