"""Text the database cannot store is refused at the door, alike on every database: PostgreSQL
text cannot hold NUL, which the fuzz runs found in search boxes and request bodies (500s)."""

from __future__ import annotations

import httpx

from fitcoach.http.pagination import MAX_PAGE
from tests.factories import Factory, assert_error
from tests.plans.payloads import PLANS, plan_body

NUL_MESSAGE = "Text must not contain NUL characters"


async def test_nul_in_a_body_is_refused(client: httpx.AsyncClient, factory: Factory) -> None:
    admin = await factory.admin()
    response = await client.post(PLANS, json=plan_body(name="Leg\x00day"), headers=admin.headers)
    assert_error(response, 422, NUL_MESSAGE)
    assert response.json()["errors"] == [{"field": "training.name", "message": NUL_MESSAGE}]

    customer = await factory.customer()
    response = await client.patch(
        f"/api/v1/customers/{customer.user_id}/profile",
        json={"name": "Nul\x00Person"},
        headers=customer.headers,
    )
    assert_error(response, 422, NUL_MESSAGE)
    profile = await client.get(
        f"/api/v1/customers/{customer.user_id}/profile", headers=customer.headers
    )
    assert profile.json()["data"]["demographics"]["name"] == "Test Person"


async def test_nul_in_a_search_box_is_refused(client: httpx.AsyncClient, factory: Factory) -> None:
    coach, admin = await factory.coach(), await factory.admin()
    for path, caller in (("/api/v1/coaches/me/customers", coach), ("/api/v1/admin/users", admin)):
        response = await client.get(path, params={"q": "a\x00b"}, headers=caller.headers)
        assert_error(response, 422)
        assert response.json()["errors"][0]["field"] == "q"


async def test_page_numbers_past_the_cap_are_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    """A page far past the end used to overflow OFFSET in SQLite (500)."""
    admin = await factory.admin()
    response = await client.get(PLANS, params={"page": 10**18}, headers=admin.headers)
    assert_error(response, 422)
    last = await client.get(PLANS, params={"page": MAX_PAGE}, headers=admin.headers)
    assert last.status_code == 200
    assert last.json()["data"]["items"] == []
