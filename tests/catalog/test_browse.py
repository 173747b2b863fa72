"""Browsing published products: every filter and sort alone and combined, pagination, bad
parameters, the comparison metadata and testimonials of each item, and a fixed query count."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from fitcoach.core.clock import FrozenClock
from tests.catalog.payloads import (
    PRODUCTS,
    create_product,
    list_products,
    post_review,
    published_product,
    titles,
)
from tests.factories import Account, Factory, assert_error, with_settings


async def _catalog(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> tuple[Account, Account, Account]:
    """A: 4 weeks, 4000, lose weight; B: 8 weeks, 8000, build muscle (other coach);
    C: 12 weeks, 6000, lose weight + endurance; D: draft; E: archived."""
    coach, other_coach = await factory.coach(name="Ann"), await factory.coach(name="Bob")
    reader = await factory.customer()
    specs = [
        (coach, "A", 4, 4000, ["lose_weight"]),
        (other_coach, "B", 8, 8000, ["build_muscle"]),
        (coach, "C", 12, 6000, ["lose_weight", "improve_endurance"]),
    ]
    for owner, title, weeks, price, goals in specs:
        await published_product(
            client, owner, title=title, durationWeeks=weeks, price=price, goals=goals
        )
        clock.advance(seconds=1)
    await create_product(client, coach, title="D", goals=["lose_weight"])
    archived = await published_product(client, coach, title="E", goals=["lose_weight"])
    response = await client.post(f"{PRODUCTS}/{archived['id']}/archive", headers=coach.headers)
    assert response.status_code == 200
    return coach, other_coach, reader


async def test_filters_alone_and_combined(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    coach, other_coach, reader = await _catalog(client, factory, clock)

    async def found(**params: Any) -> list[str]:
        return titles(await list_products(client, reader, **params))

    assert await found() == ["C", "B", "A"]
    assert await found(goal="lose_weight") == ["C", "A"]
    assert await found(goal="improve_endurance") == ["C"]
    assert await found(goal="healthy_eating") == []
    assert await found(duration=8) == ["B"]
    assert await found(duration=5) == []
    assert await found(priceMin=6000) == ["C", "B"]
    assert await found(priceMax=6000) == ["C", "A"]
    assert await found(priceMin=6000, priceMax=6000) == ["C"]
    assert await found(priceMin=0, priceMax=0) == []
    assert await found(coachId=coach.user_id) == ["C", "A"]
    assert await found(coachId=other_coach.user_id) == ["B"]
    assert await found(goal="lose_weight", priceMax=5000) == ["A"]
    assert await found(goal="lose_weight", coachId=coach.user_id, duration=12) == ["C"]
    assert await found(goal="lose_weight", sort="-price", priceMin=1) == ["C", "A"]
    assert await found(goal="build_muscle", coachId=coach.user_id) == []


async def test_sorts(client: httpx.AsyncClient, factory: Factory, clock: FrozenClock) -> None:
    _, _, reader = await _catalog(client, factory, clock)
    by_title = {
        item["title"]: item["id"] for item in (await list_products(client, reader))["items"]
    }
    # Ratings: A 5.0 from one review, B 4.0 from two, C none.
    fans = [await factory.customer() for _ in range(3)]
    await post_review(client, fans[0], by_title["A"], 5)
    await post_review(client, fans[1], by_title["B"], 5)
    await post_review(client, fans[2], by_title["B"], 3)

    async def order(sort: str) -> list[str]:
        return titles(await list_products(client, reader, sort=sort))

    assert await order("price") == ["A", "C", "B"]
    assert await order("-price") == ["B", "C", "A"]
    assert await order("rating") == ["A", "B", "C"]
    assert await order("newest") == ["C", "B", "A"]
    assert await order("popular") == ["B", "A", "C"]
    cheapest_first = await list_products(client, reader, sort="price", goal="lose_weight")
    assert titles(cheapest_first) == ["A", "C"]


async def test_pagination_edges(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    coach, reader = await factory.coach(), await factory.customer()
    for number in range(5):
        await published_product(client, coach, title=f"P{number}", price=1000 + number)
    first = await list_products(client, reader, sort="price", page=1, pageSize=2)
    assert titles(first) == ["P0", "P1"]
    assert first["pagination"] == {
        "page": 1,
        "pageSize": 2,
        "total": 5,
        "totalPages": 3,
        "totalIsExact": True,
    }
    last = await list_products(client, reader, sort="price", page=3, pageSize=2)
    assert titles(last) == ["P4"]
    beyond = await list_products(client, reader, sort="price", page=4, pageSize=2)
    assert beyond["items"] == []
    assert beyond["pagination"]["total"] == 5
    default = await list_products(client, reader)
    assert default["pagination"] == {
        "page": 1,
        "pageSize": 20,
        "total": 5,
        "totalPages": 1,
        "totalIsExact": True,
    }
    assert (await list_products(client, reader, pageSize=100))["pagination"]["pageSize"] == 100
    empty = await list_products(client, reader, goal="healthy_eating")
    assert empty == {
        "items": [],
        "pagination": {
            "page": 1,
            "pageSize": 20,
            "total": 0,
            "totalPages": 0,
            "totalIsExact": True,
        },
    }


@pytest.mark.parametrize("settings_overrides", [{"catalog_count_limit": 3}], indirect=True)
async def test_a_large_listing_is_counted_up_to_the_limit(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach, reader = await factory.coach(), await factory.customer()
    for number in range(5):
        await published_product(client, coach, title=f"P{number}", price=1000 + number)

    counted = await list_products(client, reader, sort="price", page=1, pageSize=2)
    assert titles(counted) == ["P0", "P1"]
    assert counted["pagination"] == {
        "page": 1,
        "pageSize": 2,
        "total": 3,
        "totalPages": 2,
        "totalIsExact": False,
    }
    # The limit bounds the count, not the browsing: later pages still answer.
    assert titles(await list_products(client, reader, sort="price", page=3, pageSize=2)) == ["P4"]
    few = await list_products(client, reader, priceMax=1002)
    assert few["pagination"]["total"] == 3
    assert few["pagination"]["totalIsExact"] is True


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page": 0}, "page"),
        ({"pageSize": 0}, "pageSize"),
        ({"pageSize": 101}, "pageSize"),
        ({"priceMin": -1}, "priceMin"),
        ({"priceMax": -5}, "priceMax"),
        ({"priceMin": "cheap"}, "priceMin"),
        ({"priceMin": 500, "priceMax": 100}, "priceMin"),
        ({"sort": "title"}, "sort"),
        ({"sort": "-rating"}, "sort"),
        ({"goal": "fly"}, "goal"),
        ({"duration": 0}, "duration"),
        ({"coachId": "nobody"}, "coachId"),
    ],
)
async def test_bad_parameters_are_422_naming_the_parameter(
    client: httpx.AsyncClient, factory: Factory, params: dict[str, Any], parameter: str
) -> None:
    reader = await factory.customer()
    response = await client.get(PRODUCTS, params=params, headers=reader.headers)
    assert_error(response, 422)
    assert parameter in response.json()["message"]


async def test_browsing_needs_a_signed_in_user(client: httpx.AsyncClient) -> None:
    assert_error(await client.get(PRODUCTS), 401, "Authentication required")


async def test_items_carry_rating_testimonials_and_comparison_metadata(
    client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    coach, admin = await factory.coach(name="Ann"), await factory.admin()
    product = await published_product(client, coach, price=10000, durationWeeks=3)
    second = await published_product(client, coach, title="Second")
    reviewers = [await factory.customer(name=f"Fan {n}") for n in range(6)]
    await post_review(client, reviewers[0], product["id"], 5, "Life changing")
    clock.advance(seconds=1)
    await post_review(client, reviewers[1], product["id"], 4, "Solid")
    clock.advance(seconds=1)
    await post_review(client, reviewers[2], product["id"], 5, "Best coach")
    clock.advance(seconds=1)
    await post_review(client, reviewers[3], product["id"], 2)  # no text: no testimonial
    clock.advance(seconds=1)
    hidden = await post_review(client, reviewers[4], product["id"], 5, "Spam spam")
    response = await client.post(
        f"{PRODUCTS}/{product['id']}/reviews/{hidden['id']}/hide", headers=admin.headers
    )
    assert response.status_code == 200
    await post_review(client, reviewers[5], second["id"], 3, "Fine")

    page = await list_products(client, reviewers[0], sort="price")
    item = next(entry for entry in page["items"] if entry["id"] == product["id"])
    assert item["rating"] == {"average": 4.0, "count": 4}
    assert item["pricePerWeek"] == 3333
    assert (item["durationWeeks"], item["level"]) == (3, "beginner")
    assert item["included"]["sessionsPerMonth"] == 4
    # The coach's rating covers the visible reviews of all their published products.
    assert item["coach"] == {"id": coach.user_id, "name": "Ann", "rating": 3.8, "ratingCount": 5}
    assert [(t["text"], t["authorName"]) for t in item["testimonials"]] == [
        ("Best coach", "Fan 2"),
        ("Life changing", "Fan 0"),
        ("Solid", "Fan 1"),
    ]
    other = next(entry for entry in page["items"] if entry["id"] == second["id"])
    assert [t["text"] for t in other["testimonials"]] == ["Fine"]


# The queries of a page as the database serves it: the caches would answer without any.
@with_settings(read_cache_seconds=0)
async def test_a_page_costs_the_same_queries_whatever_its_size(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    coaches = [await factory.coach() for _ in range(3)]
    reader = await factory.customer()
    for number in range(9):
        product = await published_product(client, coaches[number % 3], title=f"P{number}")
        await post_review(client, await factory.customer(), product["id"], 4, "Good")

    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        await list_products(client, reader, pageSize=1)
        small = len(statements)
        statements.clear()
        await list_products(client, reader, pageSize=9)
        large = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert small == large
