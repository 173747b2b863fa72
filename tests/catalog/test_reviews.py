"""Reviews: one per customer and product, editing and deleting one's own, admins hiding them,
the product's totals following every change, and concurrent reviews all counted."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from fitcoach.core.clock import FrozenClock
from fitcoach.models import AuditEntry, CoachRatingTotals, Product
from tests.catalog.payloads import (
    PRODUCTS,
    buy,
    create_product,
    get_product,
    post_review,
    published_product,
)
from tests.factories import Account, Factory, assert_error, with_settings

FORBIDDEN = "You do not have permission to perform this action"


def _reviews(product_id: str, review_id: str | None = None) -> str:
    base = f"{PRODUCTS}/{product_id}/reviews"
    return f"{base}/{review_id}" if review_id else base


async def _rating(client: httpx.AsyncClient, reader: Account, product_id: str) -> dict[str, Any]:
    rating: dict[str, Any] = (await get_product(client, reader, product_id))["rating"]
    return rating


async def test_a_customer_reviews_once(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    coach = await factory.coach()
    customer = await factory.customer(name="Cleo")
    product = await published_product(client, coach)
    review = await post_review(client, customer, product["id"], 4, "  Great plan  ")
    assert (review["rating"], review["text"], review["authorName"]) == (4, "Great plan", "Cleo")
    assert (review["authorId"], review["productId"], review["hidden"]) == (
        customer.user_id,
        product["id"],
        False,
    )
    response = await client.post(
        _reviews(product["id"]), json={"rating": 2}, headers=customer.headers
    )
    assert_error(response, 409, "You have already reviewed this product")
    assert await _rating(client, customer, product["id"]) == {"average": 4.0, "count": 1}
    async with app.state.sessionmaker() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.resource_id == review["id"])
        )
    assert entry is not None
    assert entry.action == "catalog.review.created"
    assert entry.changes is not None
    assert entry.changes["rating"] == {"before": None, "after": 4}


async def test_who_may_review_what(client: httpx.AsyncClient, factory: Factory) -> None:
    coach, admin, customer = await factory.coach(), await factory.admin(), await factory.customer()
    product = await published_product(client, coach)
    draft = await create_product(client, coach)
    for staff in (coach, admin):
        response = await client.post(
            _reviews(product["id"]), json={"rating": 5}, headers=staff.headers
        )
        assert_error(response, 403, "Only customers can review products")
    response = await client.post(
        _reviews(draft["id"]), json={"rating": 5}, headers=customer.headers
    )
    assert_error(response, 404, "Product not found")
    response = await client.post(
        _reviews(str(uuid.uuid4())), json={"rating": 5}, headers=customer.headers
    )
    assert_error(response, 404, "Product not found")
    response = await client.post(
        _reviews(product["id"]), json={"rating": 5}, headers=customer.headers
    )
    assert_error(response, 403, "Only customers who bought this product can review it")
    await buy(client, customer, product["id"])
    for body in ({"rating": 0}, {"rating": 6}, {"rating": 4.5}, {"rating": "5"}, {}):
        response = await client.post(_reviews(product["id"]), json=body, headers=customer.headers)
        assert_error(response, 422)
    response = await client.post(
        _reviews(product["id"]), json={"rating": 5, "text": "x" * 2001}, headers=customer.headers
    )
    assert_error(response, 422)
    await post_review(client, customer, product["id"], 5, "x" * 2000)


async def test_authors_edit_and_delete_their_own(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    coach, admin = await factory.coach(), await factory.admin()
    author, other = await factory.customer(), await factory.customer()
    product = await published_product(client, coach)
    review = await post_review(client, author, product["id"], 2, "Meh")
    await post_review(client, other, product["id"], 4)
    path = _reviews(product["id"], review["id"])

    clock.advance(minutes=1)
    response = await client.patch(path, json={"rating": 5, "text": None}, headers=author.headers)
    assert response.status_code == 200, response.text
    changed = response.json()["data"]
    assert (changed["rating"], changed["text"]) == (5, None)
    assert changed["updatedAt"] > review["updatedAt"]
    assert await _rating(client, author, product["id"]) == {"average": 4.5, "count": 2}

    response = await client.patch(path, json={"rating": 1}, headers=other.headers)
    assert_error(response, 403, FORBIDDEN)
    response = await client.patch(path, json={"rating": 1}, headers=admin.headers)
    assert_error(response, 403, FORBIDDEN)
    response = await client.delete(path, headers=other.headers)
    assert_error(response, 403, FORBIDDEN)
    response = await client.patch(path, json={"rating": None}, headers=author.headers)
    assert_error(response, 422, "rating cannot be null")
    wrong_product = await published_product(client, coach, title="Other")
    response = await client.patch(
        _reviews(wrong_product["id"], review["id"]), json={"rating": 1}, headers=author.headers
    )
    assert_error(response, 404, "Review not found")

    response = await client.delete(path, headers=author.headers)
    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "Review deleted successfully"}
    assert await _rating(client, author, product["id"]) == {"average": 4.0, "count": 1}
    assert_error(await client.delete(path, headers=author.headers), 404, "Review not found")
    # The author may review again once their review is gone.
    await post_review(client, author, product["id"], 3)


async def test_admins_hide_and_delete_reviews(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    coach, admin = await factory.coach(), await factory.admin()
    author, reader = await factory.customer(), await factory.customer()
    product = await published_product(client, coach)
    review = await post_review(client, author, product["id"], 1, "Rude words")
    await post_review(client, reader, product["id"], 5, "Lovely")
    path = _reviews(product["id"], review["id"])

    assert_error(await client.post(f"{path}/hide", headers=coach.headers), 403, FORBIDDEN)
    response = await client.post(f"{path}/hide", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["hidden"] is True
    assert_error(await client.post(f"{path}/hide", headers=admin.headers), 409)
    assert await _rating(client, reader, product["id"]) == {"average": 5.0, "count": 1}

    public = await get_product(client, reader, product["id"])
    assert [r["text"] for r in public["reviews"]["items"]] == ["Lovely"]
    assert public["reviews"]["pagination"]["total"] == 1
    seen_by_admin = await get_product(client, admin, product["id"])
    assert {(r["text"], r["hidden"]) for r in seen_by_admin["reviews"]["items"]} == {
        ("Rude words", True),
        ("Lovely", False),
    }
    # Hidden: others cannot touch it, its author still edits it, and it stays out of the totals.
    assert_error(await client.delete(path, headers=reader.headers), 404, "Review not found")
    response = await client.patch(path, json={"rating": 2}, headers=author.headers)
    assert response.status_code == 200
    assert await _rating(client, reader, product["id"]) == {"average": 5.0, "count": 1}

    response = await client.post(f"{path}/unhide", headers=admin.headers)
    assert response.status_code == 200
    assert await _rating(client, reader, product["id"]) == {"average": 3.5, "count": 2}
    assert_error(await client.post(f"{path}/unhide", headers=admin.headers), 409)

    assert (await client.delete(path, headers=admin.headers)).status_code == 200
    assert await _rating(client, reader, product["id"]) == {"average": 5.0, "count": 1}
    async with app.state.sessionmaker() as session:
        result = await session.execute(
            select(AuditEntry.action)
            .where(AuditEntry.resource_id == review["id"])
            .order_by(AuditEntry.occurred_at, AuditEntry.action)
        )
    assert set(result.scalars()) == {
        "catalog.review.created",
        "catalog.review.hidden",
        "catalog.review.updated",
        "catalog.review.unhidden",
        "catalog.review.deleted",
    }


async def test_reviews_are_paginated_newest_first(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    coach = await factory.coach()
    product = await published_product(client, coach)
    customers = [await factory.customer() for _ in range(3)]
    for number, customer in enumerate(customers):
        await post_review(client, customer, product["id"], 3, f"Review {number}")
        clock.advance(seconds=1)
    detail = await get_product(client, coach, product["id"], page=1, pageSize=2)
    assert [r["text"] for r in detail["reviews"]["items"]] == ["Review 2", "Review 1"]
    assert detail["reviews"]["pagination"] == {
        "page": 1,
        "pageSize": 2,
        "total": 3,
        "totalPages": 2,
        "totalIsExact": True,
    }
    detail = await get_product(client, coach, product["id"], page=2, pageSize=2)
    assert [r["text"] for r in detail["reviews"]["items"]] == ["Review 0"]
    assert [a["name"] for a in detail["addons"]] == ["Meal prep guide"]
    response = await client.get(f"{PRODUCTS}/{product['id']}?page=0", headers=coach.headers)
    assert_error(response, 422)


@with_settings(rate_limit_enabled=False, database_pool_size=30)
async def test_concurrent_reviews_keep_the_totals_right(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    coach = await factory.coach()
    product = await published_product(client, coach)
    customers = [await factory.customer() for _ in range(20)]
    for customer in customers:
        await buy(client, customer, product["id"])
    ratings = [(number % 5) + 1 for number in range(20)]

    async def review(customer: Account, rating: int) -> int:
        response = await client.post(
            _reviews(product["id"]), json={"rating": rating}, headers=customer.headers
        )
        return response.status_code

    statuses = await asyncio.gather(*(map(review, customers, ratings)))
    assert statuses == [201] * 20
    # A customer's racing duplicates: exactly one wins.
    again = await asyncio.gather(*(review(customers[0], 5) for _ in range(3)))
    assert sorted(again) == [409, 409, 409]

    async with app.state.sessionmaker() as session:
        stored = await session.get(Product, uuid.UUID(product["id"]))
        coach_totals = await session.get(CoachRatingTotals, coach.id)
    assert stored is not None
    assert (stored.rating_count, stored.rating_sum) == (20, sum(ratings))
    assert await _rating(client, coach, product["id"]) == {"average": 3.0, "count": 20}
    # The product is published, so every review also counted, exactly once, for its coach.
    assert coach_totals is not None
    assert (coach_totals.rating_count, coach_totals.rating_sum) == (20, sum(ratings))
    shown = (await get_product(client, coach, product["id"]))["coach"]
    assert (shown["rating"], shown["ratingCount"]) == (3.0, 20)


@with_settings(rate_limit_enabled=False, database_pool_size=30)
async def test_concurrent_changes_of_several_kinds_keep_the_totals_right(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    coach, admin = await factory.coach(), await factory.admin()
    product = await published_product(client, coach)
    customers = [await factory.customer() for _ in range(12)]
    reviews = [await post_review(client, customer, product["id"], 3) for customer in customers]
    newcomers = [await factory.customer() for _ in range(4)]
    for arriving in newcomers:
        await buy(client, arriving, product["id"])

    async def act(index: int) -> int:
        review_path = _reviews(product["id"], reviews[index]["id"])
        if index < 4:  # deleted by their author
            response = await client.delete(review_path, headers=customers[index].headers)
        elif index < 8:  # raised to 5
            response = await client.patch(
                review_path, json={"rating": 5}, headers=customers[index].headers
            )
        else:  # hidden by the admin
            response = await client.post(f"{review_path}/hide", headers=admin.headers)
        return response.status_code

    async def newcomer(customer: Account) -> int:
        response = await client.post(
            _reviews(product["id"]), json={"rating": 1}, headers=customer.headers
        )
        return response.status_code

    statuses = await asyncio.gather(*map(act, range(12)), *map(newcomer, newcomers))
    assert set(statuses) <= {200, 201}
    # Visible now: four 5s and four new 1s.
    assert await _rating(client, coach, product["id"]) == {"average": 3.0, "count": 8}
    async with app.state.sessionmaker() as session:
        coach_totals = await session.get(CoachRatingTotals, coach.id)
    assert coach_totals is not None
    assert (coach_totals.rating_count, coach_totals.rating_sum) == (8, 24)
