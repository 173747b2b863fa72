"""A coach's rating: the totals kept for each coach always equal the sum, over their published
products, of those products' visible reviews, through every review change and every status
change, one after another or all at once."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from fitcoach.models import CoachRatingTotals
from tests.catalog.payloads import (
    PRODUCTS,
    buy,
    create_product,
    get_product,
    list_products,
    post_review,
    publish,
    published_product,
)
from tests.factories import Account, Factory, with_settings


def _rating(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


async def _stored(app: FastAPI, coach: Account) -> tuple[int, int]:
    async with app.state.sessionmaker() as session:
        row = await session.get(CoachRatingTotals, coach.id)
    return (row.rating_sum, row.rating_count) if row is not None else (0, 0)


async def _assert_coach_totals_exact(
    client: httpx.AsyncClient,
    app: FastAPI,
    admin: Account,
    coach: Account,
    name: str,
    product_ids: list[str],
) -> tuple[int, int]:
    """Recomputes the coach's totals from scratch (each product's visible reviews, as an admin
    sees them, counted while the product is published) and checks every answer showing the
    coach, and the stored row, against them."""
    listing = await list_products(client, admin, coachId=coach.user_id, pageSize=100)
    listed = {item["id"] for item in listing["items"]}
    total = count = 0
    details = []
    for product_id in product_ids:
        detail = await get_product(client, admin, product_id, pageSize=100)
        visible = [
            review["rating"] for review in detail["reviews"]["items"] if not review["hidden"]
        ]
        assert detail["rating"] == {
            "average": _rating(sum(visible), len(visible)),
            "count": len(visible),
        }
        assert (detail["status"] == "published") == (product_id in listed)
        if detail["status"] == "published":
            total += sum(visible)
            count += len(visible)
        details.append(detail)
    expected = {
        "id": coach.user_id,
        "name": name,
        "rating": _rating(total, count),
        "ratingCount": count,
    }
    assert [item["coach"] for item in listing["items"]] == [expected] * len(listed)
    assert [detail["coach"] for detail in details] == [expected] * len(details)
    assert await _stored(app, coach) == (total, count)
    return total, count


def _review_path(product_id: str, review_id: str) -> str:
    return f"{PRODUCTS}/{product_id}/reviews/{review_id}"


def _ok(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text


async def test_the_coach_rating_follows_every_review_and_status_change(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    coach, rival, admin = (
        await factory.coach(name="Ann"),
        await factory.coach(),
        await factory.admin(),
    )
    fans = [await factory.customer() for _ in range(5)]
    first, second, third = [await create_product(client, coach, title=t) for t in "ABC"]
    ids = [first["id"], second["id"], third["id"]]

    async def check() -> tuple[int, int]:
        return await _assert_coach_totals_exact(client, app, admin, coach, "Ann", ids)

    # Another coach's products and reviews never count for this one.
    elsewhere = await published_product(client, rival, title="Elsewhere")
    await post_review(client, fans[0], elsewhere["id"], 1)

    assert await check() == (0, 0)
    await publish(client, coach, first["id"])
    await publish(client, coach, second["id"])
    assert await check() == (0, 0)

    kept = await post_review(client, fans[0], first["id"], 5, "Great")
    moderated = await post_review(client, fans[1], first["id"], 3)
    await post_review(client, fans[2], second["id"], 4)
    edited_while_hidden = await post_review(client, fans[3], second["id"], 2)
    assert await check() == (14, 4)

    hide = f"{_review_path(first['id'], moderated['id'])}/hide"
    _ok(await client.post(hide, headers=admin.headers))
    assert await check() == (11, 3)

    _ok(
        await client.patch(
            _review_path(first["id"], kept["id"]), json={"rating": 2}, headers=fans[0].headers
        )
    )
    assert await check() == (8, 3)

    unhide = f"{_review_path(first['id'], moderated['id'])}/unhide"
    _ok(await client.post(unhide, headers=admin.headers))
    assert await check() == (11, 4)

    # A hidden review's rating edit moves nothing until it is shown again.
    path = _review_path(second["id"], edited_while_hidden["id"])
    _ok(await client.post(f"{path}/hide", headers=admin.headers))
    _ok(await client.patch(path, json={"rating": 5}, headers=fans[3].headers))
    assert await check() == (9, 3)
    _ok(await client.post(f"{path}/unhide", headers=admin.headers))
    assert await check() == (14, 4)

    # Archived: the product's totals leave the coach's, and its reviews' changes stay out.
    _ok(await client.post(f"{PRODUCTS}/{second['id']}/archive", headers=coach.headers))
    assert await check() == (5, 2)
    _ok(await client.post(f"{path}/hide", headers=admin.headers))
    assert await check() == (5, 2)
    _ok(await client.delete(path, headers=admin.headers))
    assert await check() == (5, 2)

    # Back on sale with the totals it has now; a draft archived and then published.
    await publish(client, coach, second["id"])
    assert await check() == (9, 3)
    _ok(await client.post(f"{PRODUCTS}/{third['id']}/archive", headers=coach.headers))
    await publish(client, coach, third["id"])
    await post_review(client, fans[4], third["id"], 1)
    assert await check() == (10, 4)

    _ok(await client.delete(_review_path(first["id"], kept["id"]), headers=fans[0].headers))
    assert await check() == (8, 3)

    for product_id in ids:
        _ok(await client.post(f"{PRODUCTS}/{product_id}/archive", headers=admin.headers))
    assert await check() == (0, 0)
    await publish(client, coach, first["id"])
    assert await check() == (3, 1)
    assert await _stored(app, rival) == (1, 1)


@with_settings(rate_limit_enabled=False, database_pool_size=30)
async def test_concurrent_changes_across_a_coach_s_products_keep_the_coach_totals_exact(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    coach, admin = await factory.coach(name="Ann"), await factory.admin()
    products = [await create_product(client, coach, title=f"P{n}") for n in range(4)]
    ids = [product["id"] for product in products]
    customers = [await factory.customer() for _ in range(20)]

    # Four first publishes at once: any of them may be the one creating the coach's row.
    published = await asyncio.gather(
        *(
            client.post(f"{PRODUCTS}/{product_id}/publish", headers=coach.headers)
            for product_id in ids
        )
    )
    assert [response.status_code for response in published] == [200] * 4

    for index in range(20):
        await buy(client, customers[index], ids[index % 4])

    # Reviews of every product at once, while one of them is taken off sale: a review of it
    # lands before the archive (and leaves with it) or finds it gone (404).
    async def review(index: int) -> int:
        response = await client.post(
            f"{PRODUCTS}/{ids[index % 4]}/reviews",
            json={"rating": index % 5 + 1},
            headers=customers[index].headers,
        )
        return response.status_code

    async def archive(product_id: str) -> int:
        response = await client.post(f"{PRODUCTS}/{product_id}/archive", headers=coach.headers)
        return response.status_code

    statuses = await asyncio.gather(*map(review, range(16)), archive(ids[3]))
    assert statuses[-1] == 200
    assert [status for index, status in enumerate(statuses[:-1]) if index % 4 != 3] == [201] * 12
    assert set(statuses[:-1]) <= {201, 404}
    await _assert_coach_totals_exact(client, app, admin, coach, "Ann", ids)

    # Edits, hides, deletions and new reviews at once, while the archived product returns.
    detail = await get_product(client, admin, ids[0], pageSize=100)
    reviews = detail["reviews"]["items"]
    assert len(reviews) == 4
    by_author = {str(customer.id): customer for customer in customers}

    async def change(index: int) -> int:
        review = reviews[index]
        path = _review_path(ids[0], review["id"])
        author = by_author[review["authorId"]]
        if index == 0:
            response = await client.patch(path, json={"rating": 1}, headers=author.headers)
        elif index == 1:
            response = await client.post(f"{path}/hide", headers=admin.headers)
        else:
            response = await client.delete(path, headers=author.headers)
        return response.status_code

    async def republish() -> int:
        response = await client.post(f"{PRODUCTS}/{ids[3]}/publish", headers=coach.headers)
        return response.status_code

    statuses = await asyncio.gather(
        *map(change, range(4)), republish(), *map(review, range(16, 20))
    )
    assert set(statuses[:5]) == {200}
    assert set(statuses[5:]) <= {201, 404}
    await _assert_coach_totals_exact(client, app, admin, coach, "Ann", ids)


async def test_a_coach_without_published_products_has_no_rating(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    coach = await factory.coach(name="New")
    draft = await create_product(client, coach)
    assert draft["coach"] == {"id": coach.user_id, "name": "New", "rating": None, "ratingCount": 0}
    assert await _stored(app, coach) == (0, 0)
