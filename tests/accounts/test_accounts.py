"""Account management in the admin console: finding users, creating coaches and admins, and
changing roles (a role taken away stops working on the very next request)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.audit.trail import as_text, only
from tests.factories import STRONG_PASSWORD, Factory, assert_error
from tests.plans.payloads import PLANS, plan_body

USERS = "/api/v1/admin/users"
FORBIDDEN = "You do not have permission to perform this action"


def _new_coach(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Coach Carter",
        "email": "Carter@Example.COM",
        "password": STRONG_PASSWORD,
        "roles": ["COACH"],
    }
    body.update(overrides)
    return body


async def _listed(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    response = await client.get(USERS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _set_roles(
    client: httpx.AsyncClient, headers: dict[str, str], user_id: str, roles: list[str]
) -> httpx.Response:
    return await client.patch(f"{USERS}/{user_id}/roles", json={"roles": roles}, headers=headers)


# Listing ------------------------------------------------------------------------------------


async def test_admins_find_users_by_name_phone_or_email(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(name="Ada Admin")
    alice = await factory.customer(name="Alice Walker", email="alice@example.com")
    bob = await factory.customer(name="Bob Stone", phone="+201011112222")
    coach = await factory.coach(name="Coach Alina")

    by_name = await _listed(client, admin.headers, q="ALI", sort="name")
    assert [user["id"] for user in by_name["items"]] == [alice.user_id, coach.user_id]
    by_phone = await _listed(client, admin.headers, q="1111222")
    assert [user["id"] for user in by_phone["items"]] == [bob.user_id]
    by_email = await _listed(client, admin.headers, q="alice@EXAMPLE")
    assert [user["id"] for user in by_email["items"]] == [alice.user_id]
    # LIKE wildcards in the search box are matched literally.
    assert (await _listed(client, admin.headers, q="%"))["items"] == []

    found = by_email["items"][0]
    assert found["roles"] == ["CUSTOMER"]
    assert found["isBlocked"] is False
    assert "passwordHash" not in found


async def test_admins_filter_by_role_and_blocked_and_page_through(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(name="Zed Admin")
    customers = [await factory.customer(name=f"Customer {n}") for n in range(5)]
    coach = await factory.coach(name="Coach One")
    blocked = customers[2]
    assert (
        await client.post(f"{USERS}/{blocked.user_id}/block", headers=admin.headers)
    ).status_code == 200

    coaches = await _listed(client, admin.headers, role="COACH")
    assert [user["id"] for user in coaches["items"]] == [coach.user_id]
    only_blocked = await _listed(client, admin.headers, blocked="true")
    assert [user["id"] for user in only_blocked["items"]] == [blocked.user_id]
    unblocked_customers = await _listed(client, admin.headers, role="CUSTOMER", blocked="false")
    assert unblocked_customers["pagination"]["total"] == 4

    first = await _listed(client, admin.headers, role="CUSTOMER", sort="name", pageSize=2)
    second = await _listed(client, admin.headers, role="CUSTOMER", sort="name", pageSize=2, page=2)
    third = await _listed(client, admin.headers, role="CUSTOMER", sort="name", pageSize=2, page=3)
    assert first["pagination"] == {
        "page": 1,
        "pageSize": 2,
        "total": 5,
        "totalPages": 3,
        "totalIsExact": True,
    }
    names = [user["name"] for page in (first, second, third) for user in page["items"]]
    assert names == [f"Customer {n}" for n in range(5)]

    newest_first = await _listed(client, admin.headers, pageSize=100)
    assert newest_first["pagination"]["total"] == 7
    reverse_names = await _listed(client, admin.headers, sort="-name", pageSize=1)
    assert reverse_names["items"][0]["name"] == "Zed Admin"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "OWNER"}, "role"),
        ({"blocked": "maybe"}, "blocked"),
        ({"sort": "password"}, "sort"),
        ({"pageSize": 101}, "pageSize"),
        ({"page": 0}, "page"),
        # Past the cap: an offset this large overflowed the database's integers (a 500).
        ({"page": 10**20}, "page"),
        ({"q": ""}, "q"),
    ],
)
async def test_bad_list_parameters_are_named(
    client: httpx.AsyncClient, factory: Factory, params: dict[str, Any], field: str
) -> None:
    admin = await factory.admin()
    response = await client.get(USERS, params=params, headers=admin.headers)
    assert_error(response, 422)
    assert field in response.text


async def test_only_admins_list_or_create_accounts(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach = await factory.coach()
    customer = await factory.customer()
    for account in (coach, customer):
        assert_error(await client.get(USERS, headers=account.headers), 403, FORBIDDEN)
        created = await client.post(USERS, json=_new_coach(), headers=account.headers)
        assert_error(created, 403, FORBIDDEN)
        changed = await _set_roles(client, account.headers, account.user_id, ["ADMIN"])
        assert_error(changed, 403, FORBIDDEN)
    assert_error(await client.get(USERS), 401)
    assert_error(await client.post(USERS, json=_new_coach()), 401)


# Creating -----------------------------------------------------------------------------------


async def test_an_admin_creates_a_coach_who_signs_in_with_the_password(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    admin = await factory.admin()

    response = await client.post(USERS, json=_new_coach(), headers=admin.headers)

    assert response.status_code == 201, response.text
    coach = response.json()["data"]
    assert (coach["name"], coach["email"], coach["roles"]) == (
        "Coach Carter",
        "carter@example.com",
        ["COACH"],
    )
    assert (coach["emailVerified"], coach["isBlocked"], coach["phone"]) == (False, False, None)
    login = await client.post(
        "/api/v1/auth/login", json={"provider": "carter@example.com", "password": STRONG_PASSWORD}
    )
    assert login.status_code == 200, login.text
    me = await client.get(
        "/api/v1/auth/me",
        headers={"Authorization": f"Bearer {login.json()['data']['accessToken']['token']}"},
    )
    assert me.status_code == 200, me.text
    assert me.json()["data"]["user"]["roles"] == ["COACH"]
    # Staff get no free trial: subscriptions are for customers.
    assert me.json()["data"]["isSubscribed"] is False

    entry = await only(app, "user.created")
    assert str(entry.actor_id) == admin.user_id
    assert entry.changes is not None
    assert entry.changes["roles"] == {"before": None, "after": ["COACH"]}
    assert STRONG_PASSWORD not in as_text(entry)


async def test_an_admin_creates_an_admin_by_phone(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    response = await client.post(
        USERS,
        json=_new_coach(email=None, phone="+20 100 555 0199", roles=["ADMIN", "COACH"]),
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    created = response.json()["data"]
    assert created["phone"] == "+201005550199"
    assert sorted(created["roles"]) == ["ADMIN", "COACH"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"roles": ["CUSTOMER"]}, "roles"),
        ({"roles": []}, "roles"),
        ({"roles": ["COACH", "COACH"]}, "Each role may be given once"),
        ({"password": "weakpass"}, "Password must be"),
        ({"email": None}, "Give an email or a phone"),
        ({"email": "not-an-address"}, "Invalid email address"),
        ({"phone": "12"}, "phone"),
        ({"name": "Al"}, "Name must be 5-30 characters"),
        ({"isBlocked": False}, "isBlocked"),
    ],
)
async def test_invalid_new_accounts_are_refused_with_a_reason(
    client: httpx.AsyncClient, factory: Factory, overrides: dict[str, Any], message: str
) -> None:
    admin = await factory.admin()
    response = await client.post(USERS, json=_new_coach(**overrides), headers=admin.headers)
    assert_error(response, 422)
    assert message in response.text
    assert (await _listed(client, admin.headers, role="COACH"))["items"] == []


async def test_a_taken_email_or_phone_is_a_conflict(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    customer = await factory.customer(email="taken@example.com")
    by_email = await client.post(
        USERS, json=_new_coach(email="TAKEN@example.com"), headers=admin.headers
    )
    assert_error(by_email, 409, "User with this email already exists")
    by_phone = await client.post(
        USERS, json=_new_coach(email=None, phone=customer.phone), headers=admin.headers
    )
    assert_error(by_phone, 409, "User with this phone number already exists")


# Roles --------------------------------------------------------------------------------------


async def test_a_role_given_works_on_the_next_request_with_the_same_token(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    admin = await factory.admin()
    coach = await factory.coach()
    assert_error(await client.get(USERS, headers=coach.headers), 403, FORBIDDEN)

    response = await _set_roles(client, admin.headers, coach.user_id, ["COACH", "ADMIN"])

    assert response.status_code == 200, response.text
    assert sorted(response.json()["data"]["roles"]) == ["ADMIN", "COACH"]
    assert (await client.get(USERS, headers=coach.headers)).status_code == 200
    entry = await only(app, "user.roles.changed")
    assert entry.changes == {"roles": {"before": ["COACH"], "after": ["ADMIN", "COACH"]}}
    assert str(entry.actor_id) == admin.user_id


async def test_a_coach_role_taken_away_ends_access_on_the_next_request(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    coach = await factory.coach()
    customer = await factory.customer()
    await factory.assign_coach(coach, customer)
    profile_path = f"/api/v1/customers/{customer.user_id}/profile"
    custom_plan = plan_body(userId=customer.user_id)
    assert (await client.get(profile_path, headers=coach.headers)).status_code == 200
    assert (await client.post(PLANS, json=custom_plan, headers=coach.headers)).status_code == 201
    assert (
        await client.get("/api/v1/coaches/me/customers", headers=coach.headers)
    ).status_code == 200

    response = await _set_roles(client, admin.headers, coach.user_id, ["CUSTOMER"])

    assert response.status_code == 200, response.text
    assert response.json()["data"]["roles"] == ["CUSTOMER"]
    # The same access token, the very next request.
    assert_error(await client.get(profile_path, headers=coach.headers), 404)
    assert_error(await client.post(PLANS, json=custom_plan, headers=coach.headers), 403)
    assert_error(await client.get("/api/v1/coaches/me/customers", headers=coach.headers), 403)
    # Their assignments ended with the role, so the customer no longer lists them.
    profile = (await client.get(profile_path, headers=admin.headers)).json()["data"]
    assert profile["coaches"] == []


async def test_an_admin_role_taken_away_ends_admin_access_on_the_next_request(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    other_admin = await factory.admin()
    assert (await client.get(USERS, headers=other_admin.headers)).status_code == 200

    response = await _set_roles(client, admin.headers, other_admin.user_id, ["COACH"])

    assert response.status_code == 200, response.text
    assert_error(await client.get(USERS, headers=other_admin.headers), 403, FORBIDDEN)
    assert_error(
        await client.get("/api/v1/admin/settings", headers=other_admin.headers), 403, FORBIDDEN
    )


async def test_an_admin_cannot_remove_their_own_admin_role(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    response = await _set_roles(client, admin.headers, admin.user_id, ["COACH"])
    assert_error(response, 422, "You cannot remove your own admin role")
    assert (await client.get(USERS, headers=admin.headers)).status_code == 200
    # Adding a role to oneself is fine.
    added = await _set_roles(client, admin.headers, admin.user_id, ["ADMIN", "COACH"])
    assert added.status_code == 200, added.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"roles": []}, "roles"),
        ({"roles": ["OWNER"]}, "roles"),
        ({"roles": ["ADMIN", "ADMIN"]}, "Each role may be given once"),
        ({}, "roles"),
        ({"roles": ["ADMIN"], "isBlocked": True}, "isBlocked"),
    ],
)
async def test_invalid_role_changes_are_refused(
    client: httpx.AsyncClient, factory: Factory, body: dict[str, Any], message: str
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    response = await client.patch(
        f"{USERS}/{customer.user_id}/roles", json=body, headers=admin.headers
    )
    assert_error(response, 422)
    assert message in response.text
    me = await client.get("/api/v1/auth/me", headers=customer.headers)
    assert me.json()["data"]["user"]["roles"] == ["CUSTOMER"]


async def test_changing_the_roles_of_an_unknown_user_is_not_found(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    response = await _set_roles(
        client, admin.headers, "00000000-0000-4000-8000-000000000000", ["COACH"]
    )
    assert_error(response, 404, "User not found")
    assert_error(await _set_roles(client, admin.headers, "not-a-uuid", ["COACH"]), 422)
