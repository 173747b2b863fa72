"""Shared set-up of the analytics tests: customers whose preferences analytics reads."""

from __future__ import annotations

from typing import Any

from tests.factories import Account, Factory

ENTRIES = "/api/v1/progress/entries"
PROGRESS = "/api/v1/analytics/progress"


async def questionnaire_with_units(factory: Factory, admin: Account) -> None:
    """A questionnaire asking the preferences analytics reads: units and a target weight."""
    created = await factory.client.post(
        "/api/v1/admin/questionnaires",
        json={
            "goals": [{"key": "lose_weight", "label": "Lose weight"}],
            "preferences": [
                {
                    "key": "units",
                    "label": "Units",
                    "type": "single_choice",
                    "options": ["metric", "imperial"],
                },
                {
                    "key": "targetWeightKg",
                    "label": "Target weight",
                    "type": "integer",
                    "min": 30,
                    "max": 300,
                },
            ],
            "healthFlags": [],
        },
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text


async def onboard(factory: Factory, customer: Account, **preferences: Any) -> None:
    response = await factory.client.post(
        "/api/v1/onboarding/intake",
        json={
            "goals": ["lose_weight"],
            "preferences": preferences,
            "healthFlags": [],
            "consentAccepted": True,
        },
        headers=customer.headers,
    )
    assert response.status_code == 200, response.text


async def record_weight(
    factory: Factory, customer: Account, value: float, measured_at: str, unit: str = "kg"
) -> None:
    response = await factory.client.post(
        ENTRIES,
        json={"kind": "body_weight", "value": value, "unit": unit, "measuredAt": measured_at},
        headers=customer.headers,
    )
    assert response.status_code == 201, response.text
