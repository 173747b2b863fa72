"""Product and review request bodies and HTTP helpers shared by the catalog tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Account

PRODUCTS = "/api/v1/catalog/products"


def product_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Shred in twelve",
        "description": "Fat loss with a coach at your side",
        "goals": ["lose_weight", "general_fitness"],
        "durationWeeks": 12,
        "price": 12000,
        "currency": "USD",
        "level": "beginner",
        "included": {
            "sessionsPerMonth": 4,
            "customTrainingPlan": True,
            "customDietPlan": False,
            "chatAccess": True,
        },
        "addons": [{"name": "Meal prep guide", "price": 1500}],
        "tags": ["fat loss", "home"],
        "contraindications": ["pregnancy"],
        "mediaUrls": ["https://media.example.com/shred.jpg"],
    }
    body.update(overrides)
    return body


async def create_product(
    client: httpx.AsyncClient, author: Account, **overrides: Any
) -> dict[str, Any]:
    response = await client.post(PRODUCTS, json=product_body(**overrides), headers=author.headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def publish(client: httpx.AsyncClient, author: Account, product_id: str) -> dict[str, Any]:
    response = await client.post(f"{PRODUCTS}/{product_id}/publish", headers=author.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def published_product(
    client: httpx.AsyncClient, author: Account, **overrides: Any
) -> dict[str, Any]:
    created = await create_product(client, author, **overrides)
    return await publish(client, author, created["id"])


async def buy(client: httpx.AsyncClient, customer: Account, product_id: str) -> None:
    """Make `customer` a buyer of the product (only buyers review): order it and pay it."""
    placed = await client.post(
        "/api/v1/orders", json={"productId": product_id}, headers=customer.headers
    )
    assert placed.status_code in (200, 201), placed.text
    order_id = placed.json()["data"]["order"]["id"]
    paid = await client.post(
        f"/api/v1/orders/{order_id}/confirm",
        json={"paymentMethodId": "pm_card_visa"},
        headers=customer.headers,
    )
    assert paid.status_code == 200, paid.text


async def post_review(
    client: httpx.AsyncClient,
    author: Account,
    product_id: str,
    rating: int,
    text: str | None = None,
) -> dict[str, Any]:
    await buy(client, author, product_id)
    body: dict[str, Any] = {"rating": rating}
    if text is not None:
        body["text"] = text
    response = await client.post(
        f"{PRODUCTS}/{product_id}/reviews", json=body, headers=author.headers
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def get_product(
    client: httpx.AsyncClient, reader: Account, product_id: str, **params: Any
) -> dict[str, Any]:
    response = await client.get(f"{PRODUCTS}/{product_id}", params=params, headers=reader.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def list_products(
    client: httpx.AsyncClient, reader: Account, **params: Any
) -> dict[str, Any]:
    response = await client.get(PRODUCTS, params=params, headers=reader.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def titles(page: dict[str, Any]) -> list[str]:
    return [item["title"] for item in page["items"]]
