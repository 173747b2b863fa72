"""Plan request bodies and HTTP helpers shared by the plan and admin tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Account

PLANS = "/api/v1/plans"


def training_item(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "day": 1,
        "exercise": "Back squat",
        "sets": 4,
        "reps": "8-12",
        "restSeconds": 90,
        "notes": "Keep the chest up",
        "mediaUrl": "https://videos.example.com/squat.mp4",
    }
    item.update(overrides)
    return item


def diet_item(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "day": 1,
        "meal": "Breakfast",
        "foods": ["Oats", "Milk", "Banana"],
        "calories": 450,
        "proteinG": 25,
        "carbsG": 60.5,
        "fatG": 9,
    }
    item.update(overrides)
    return item


def plan_body(plan_type: str = "training", **overrides: Any) -> dict[str, Any]:
    item = training_item if plan_type == "training" else diet_item
    body: dict[str, Any] = {
        "type": plan_type,
        "name": f"Starter {plan_type}",
        "description": "Three days a week",
        "items": [item(day=1), item(day=2)],
    }
    body.update(overrides)
    return body


async def create_plan(
    client: httpx.AsyncClient, author: Account, plan_type: str = "training", **overrides: Any
) -> dict[str, Any]:
    response = await client.post(
        PLANS, json=plan_body(plan_type, **overrides), headers=author.headers
    )
    assert response.status_code == 201, response.text
    plan: dict[str, Any] = response.json()["data"]
    return plan


async def set_default_plan(
    client: httpx.AsyncClient, admin: Account, plan_type: str, plan_id: str
) -> None:
    response = await client.post(
        f"/api/v1/admin/settings/{plan_type}-plan/default",
        json={"planId": plan_id},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text


async def grant_paid(
    client: httpx.AsyncClient, admin: Account, user: Account, days: int = 30
) -> None:
    response = await client.post(
        f"/api/v1/admin/users/{user.user_id}/subscription",
        json={"type": "paid", "days": days},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text


async def signed_in_again(client: httpx.AsyncClient, account: Account) -> dict[str, str]:
    """Fresh bearer headers after the clock has moved past the access token's lifetime."""
    response = await client.post(
        "/api/v1/auth/login", json={"provider": account.phone, "password": account.password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['data']['accessToken']['token']}"}
