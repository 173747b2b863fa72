"""The questionnaire, the customer's intake (consent, validation, profile, history,
recommendations) and the admins' questionnaire versions."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select

from fitcoach.core.clock import FrozenClock, as_utc
from fitcoach.db.migrate import upgrade_to_head
from fitcoach.models import AuditEntry, CustomerProfile, OnboardingIntake, Questionnaire
from tests.catalog.payloads import create_product, published_product
from tests.conftest import POSTGRES_URL, admin_execute, asyncpg_dsn
from tests.factories import FIRST_MIGRATION, Factory, assert_error

INTAKE = "/api/v1/onboarding/intake"
QUESTIONNAIRE = "/api/v1/onboarding/questionnaire"
ADMIN_QUESTIONNAIRES = "/api/v1/admin/questionnaires"


def _intake(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "questionnaireVersion": 1,
        "goals": ["lose_weight", "general_fitness"],
        "preferences": {
            "trainingDaysPerWeek": 4,
            "sessionLengthMinutes": 45,
            "equipment": ["dumbbells", "bands"],
            "dietStyle": "halal",
            "level": "beginner",
            "programWeeks": 12,
            "wantsLiveSessions": True,
        },
        "healthFlags": ["heart_condition"],
        "consentAccepted": True,
    }
    body.update(overrides)
    return body


def _new_version() -> dict[str, Any]:
    return {
        "goals": [{"key": "build_muscle", "label": "Get strong"}],
        "preferences": [
            {"key": "trainingDaysPerWeek", "label": "Days", "type": "integer", "min": 2, "max": 6}
        ],
        "healthFlags": [
            {
                "key": "knee_injury",
                "label": "Knee injury",
                "meaning": "A knee that hurts",
                "riskFlags": ["joint_or_back_pain", "needs_coach_review"],
            }
        ],
    }


async def test_anyone_signed_in_reads_the_current_questionnaire(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach = await factory.coach()
    response = await client.get(QUESTIONNAIRE, headers=coach.headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["version"], data["status"]) == (1, "current")
    assert [goal["key"] for goal in data["goals"]][:2] == ["lose_weight", "build_muscle"]
    keys = [question["key"] for question in data["preferences"]]
    assert keys == [
        "trainingDaysPerWeek",
        "sessionLengthMinutes",
        "equipment",
        "dietStyle",
        "level",
        "programWeeks",
        "wantsLiveSessions",
    ]
    [heart] = [flag for flag in data["healthFlags"] if flag["key"] == "heart_condition"]
    assert heart["riskFlags"] == [
        "cardiac_condition",
        "needs_medical_clearance",
        "needs_coach_review",
    ]
    assert heart["meaning"]
    assert_error(await client.get(QUESTIONNAIRE), 401)


async def test_without_any_questionnaire_the_routes_say_so(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    customer = await factory.customer(password=None)
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(delete(Questionnaire))
    response = await client.get(QUESTIONNAIRE, headers=customer.headers)
    assert_error(response, 404, "No questionnaire is available")
    body = _intake()
    del body["questionnaireVersion"]
    response = await client.post(INTAKE, json=body, headers=customer.headers)
    assert_error(response, 404, "No questionnaire is available")
    response = await client.post(INTAKE, json=_intake(), headers=customer.headers)
    assert_error(response, 422, "Unknown questionnaire version 1")


def test_a_fresh_database_starts_with_version_1(tmp_path: Any) -> None:
    path = tmp_path / "fresh.db"
    upgrade_to_head(f"sqlite+aiosqlite:///{path}")
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT version, status FROM questionnaires").fetchall()
    assert rows == [(1, "current")]
    assert FIRST_MIGRATION.FIRST_QUESTIONS["preferences"][0]["key"] == "trainingDaysPerWeek"


@pytest.mark.postgres_only
def test_a_fresh_postgresql_database_starts_with_version_1() -> None:
    assert POSTGRES_URL
    name = f"fitcoach_fresh_{uuid.uuid4().hex[:12]}"
    asyncio.run(admin_execute(f'CREATE DATABASE "{name}"'))
    try:
        upgrade_to_head(f"{POSTGRES_URL.rstrip('/')}/{name}")

        async def first_rows() -> list[tuple[Any, ...]]:
            connection = await asyncpg.connect(asyncpg_dsn(f"{POSTGRES_URL.rstrip('/')}/{name}"))
            try:
                rows = await connection.fetch(
                    "SELECT version, status, questions FROM questionnaires"
                )
            finally:
                await connection.close()
            return [tuple(row) for row in rows]

        [(version, status, questions)] = asyncio.run(first_rows())
    finally:
        asyncio.run(admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    assert (version, status) == (1, "current")
    assert json.loads(questions) == FIRST_MIGRATION.FIRST_QUESTIONS


async def test_an_intake_recommends_matching_programs_that_are_safe_for_the_customer(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    coach = await factory.coach()
    both_goals = await published_product(
        client,
        coach,
        title="Lean and fit",
        goals=["lose_weight", "general_fitness"],
        contraindications=[],
        level="beginner",
        durationWeeks=12,
    )
    one_goal = await published_product(
        client,
        coach,
        title="Fit in ten",
        goals=["general_fitness"],
        contraindications=[],
        level="advanced",
        durationWeeks=10,
    )
    await published_product(
        client,
        coach,
        title="Cardio blast",
        goals=["lose_weight"],
        contraindications=["cardiac_condition"],
    )
    await published_product(
        client, coach, title="Mass gainer", goals=["build_muscle"], contraindications=[]
    )
    await create_product(
        client, coach, title="Unreleased draft", goals=["lose_weight"], contraindications=[]
    )
    customer = await factory.customer()

    response = await client.post(INTAKE, json=_intake(), headers=customer.headers)

    assert response.status_code == 200, response.text
    picks = response.json()["data"]["recommendedPrograms"]
    # Both goals before one; the program unsafe for a heart condition, the one serving no chosen
    # goal and the unpublished draft are left out.
    assert [pick["productId"] for pick in picks] == [both_goals["id"], one_goal["id"]]
    first = picks[0]
    assert (first["title"], first["priceMinor"], first["currency"]) == (
        "Lean and fit",
        12000,
        "USD",
    )
    assert (first["durationWeeks"], first["level"]) == (12, "beginner")
    assert "lose weight, general fitness" in first["reason"]
    assert picks[0]["score"] > picks[1]["score"]


async def test_an_intake_builds_the_profile_and_keeps_history(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI, clock: FrozenClock
) -> None:
    customer = await factory.customer()
    first_answered_at = clock.now()
    response = await client.post(INTAKE, json=_intake(), headers=customer.headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["recommendedPrograms"] == []
    profile_id = data["profileId"]

    profile = (
        await client.get(f"/api/v1/customers/{customer.user_id}/profile", headers=customer.headers)
    ).json()["data"]
    assert profile["profileId"] == profile_id
    assert profile["riskFlags"] == [
        "cardiac_condition",
        "needs_medical_clearance",
        "needs_coach_review",
    ]
    consent = profile["consent"]
    assert (consent["accepted"], consent["version"]) == (True, 1)
    assert datetime.fromisoformat(consent["acceptedAt"]) == first_answered_at

    clock.advance(minutes=10)  # within the access token's life
    again = await client.post(
        INTAKE,
        json=_intake(goals=["build_muscle"], healthFlags=[], preferences={}),
        headers=customer.headers,
    )
    assert again.json()["data"]["profileId"] == profile_id
    profile = (
        await client.get(f"/api/v1/customers/{customer.user_id}/profile", headers=customer.headers)
    ).json()["data"]
    assert (profile["goals"], profile["riskFlags"], profile["preferences"]) == (
        ["build_muscle"],
        [],
        {},
    )

    # The consent on the profile is the latest one: its time, version and client IP.
    assert datetime.fromisoformat(profile["consent"]["acceptedAt"]) == clock.now()
    async with app.state.sessionmaker() as session:
        stored = (await session.scalars(select(CustomerProfile))).one()
        intakes = (
            await session.scalars(select(OnboardingIntake).order_by(OnboardingIntake.created_at))
        ).all()
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert (stored.consent_version, stored.consent_ip) == (1, "203.0.113.10")
    assert as_utc(stored.consent_accepted_at) == clock.now()
    # Every intake is kept as it was answered, with its own consent.
    first, second = intakes
    assert (first.goals, first.health_flags) == (
        ["lose_weight", "general_fitness"],
        ["heart_condition"],
    )
    assert first.preferences == _intake()["preferences"]
    assert "needs_medical_clearance" in first.risk_flags
    assert as_utc(first.consent_accepted_at) == first_answered_at
    assert (second.goals, second.health_flags, second.risk_flags) == (["build_muscle"], [], [])
    assert as_utc(second.consent_accepted_at) == clock.now()
    assert {intake.consent_ip for intake in intakes} == {"203.0.113.10"}
    assert {intake.questionnaire_version for intake in intakes} == {1}
    assert actions.count("onboarding.intake.submitted") == 2
    assert actions.count("onboarding.consent.recorded") == 2


@pytest.mark.parametrize(
    ("health_flag", "risk_flags"),
    [
        ("heart_condition", ["cardiac_condition", "needs_medical_clearance", "needs_coach_review"]),
        ("pregnancy", ["pregnancy", "needs_medical_clearance", "needs_coach_review"]),
        ("recent_surgery", ["recent_surgery", "needs_medical_clearance", "needs_coach_review"]),
        (
            "uncontrolled_blood_pressure",
            ["uncontrolled_blood_pressure", "needs_medical_clearance", "needs_coach_review"],
        ),
        ("joint_or_back_pain", ["joint_or_back_pain", "needs_coach_review"]),
        ("diabetes", ["diabetes", "needs_coach_review"]),
    ],
)
async def test_risk_flags_follow_from_health_flags(
    client: httpx.AsyncClient, factory: Factory, health_flag: str, risk_flags: list[str]
) -> None:
    customer = await factory.customer(password=None)
    response = await client.post(
        INTAKE, json=_intake(healthFlags=[health_flag]), headers=customer.headers
    )
    assert response.status_code == 200, response.text
    profile = await client.get(
        f"/api/v1/customers/{customer.user_id}/profile", headers=customer.headers
    )
    assert profile.json()["data"]["riskFlags"] == risk_flags


async def test_api_designs_body_without_a_version_answers_the_current_one(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin(password=None)
    customer = await factory.customer(password=None)
    body = _intake()
    del body["questionnaireVersion"]
    response = await client.post(INTAKE, json=body, headers=customer.headers)
    assert response.status_code == 200, response.text
    profile_path = f"/api/v1/customers/{customer.user_id}/profile"
    profile = (await client.get(profile_path, headers=customer.headers)).json()["data"]
    assert (profile["questionnaireVersion"], profile["consent"]["version"]) == (1, 1)

    created = await client.post(ADMIN_QUESTIONNAIRES, json=_new_version(), headers=admin.headers)
    assert created.status_code == 201, created.text
    # Answers are checked against the current version, now 2: version 1's goals are unknown.
    assert_error(
        await client.post(INTAKE, json=body, headers=customer.headers),
        422,
        "Unknown goals: lose_weight, general_fitness",
    )
    answer = {"goals": ["build_muscle"], "healthFlags": ["knee_injury"], "consentAccepted": True}
    response = await client.post(INTAKE, json=answer, headers=customer.headers)
    assert response.status_code == 200, response.text
    profile = (await client.get(profile_path, headers=customer.headers)).json()["data"]
    assert (profile["questionnaireVersion"], profile["riskFlags"]) == (
        2,
        ["joint_or_back_pain", "needs_coach_review"],
    )


@pytest.mark.parametrize("consent", [{"consentAccepted": False}, {}])
async def test_consent_is_required(
    client: httpx.AsyncClient, factory: Factory, consent: dict[str, Any]
) -> None:
    customer = await factory.customer()
    body = _intake()
    del body["consentAccepted"]
    response = await client.post(INTAKE, json={**body, **consent}, headers=customer.headers)
    assert_error(response, 409, "Consent is required to continue")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"questionnaireVersion": 7}, "Unknown questionnaire version 7"),
        ({"goals": ["fly", "lose_weight", "swim"]}, "Unknown goals: fly, swim"),
        ({"healthFlags": ["gout"]}, "Unknown health flags: gout"),
        ({"preferences": {"colour": 1, "mood": 2}}, "Unknown preferences: colour, mood"),
        (
            {"preferences": {"sessionLengthMinutes": "45", "wantsLiveSessions": 1}},
            "Invalid preferences: sessionLengthMinutes must be one of 20, 30, 45, 60, 90; "
            "wantsLiveSessions must be true or false",
        ),
        (
            {"preferences": {"equipment": ["bands", "bands"], "programWeeks": True}},
            "Invalid preferences: equipment must be a list of distinct values from none, "
            "dumbbells, barbell, machines, bands, full_gym; programWeeks must be a whole number "
            "from 4 to 52",
        ),
        ({"questionnaireVersion": "1"}, None),
        ({"questionnaireVersion": 0}, None),
        # Past the column's integers: was a 500 from the database.
        ({"questionnaireVersion": 2**70}, None),
        ({"consentAccepted": "yes"}, None),
    ],
)
async def test_bad_answers_are_422(
    client: httpx.AsyncClient, factory: Factory, overrides: dict[str, Any], message: str | None
) -> None:
    customer = await factory.customer()
    response = await client.post(INTAKE, json=_intake(**overrides), headers=customer.headers)
    assert_error(response, 422, message)


async def test_only_customers_submit_intakes(client: httpx.AsyncClient, factory: Factory) -> None:
    for staff in (await factory.coach(), await factory.admin()):
        response = await client.post(INTAKE, json=_intake(), headers=staff.headers)
        assert_error(response, 403, "Only customers can submit an onboarding intake")
    assert_error(await client.post(INTAKE, json=_intake()), 401)


async def test_admins_create_versions_and_retired_ones_are_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    customer = await factory.customer()
    response = await client.post(ADMIN_QUESTIONNAIRES, json=_new_version(), headers=admin.headers)
    assert response.status_code == 201, response.text
    created = response.json()["data"]
    assert (created["version"], created["status"], created["createdBy"]) == (
        2,
        "current",
        admin.user_id,
    )
    listed = (await client.get(ADMIN_QUESTIONNAIRES, headers=admin.headers)).json()["data"]
    assert [(q["version"], q["status"]) for q in listed] == [(2, "current"), (1, "retired")]
    current = (await client.get(QUESTIONNAIRE, headers=customer.headers)).json()["data"]
    assert current == created

    response = await client.post(INTAKE, json=_intake(), headers=customer.headers)
    assert_error(response, 422, "Questionnaire version 1 is retired; answer version 2 instead")
    response = await client.post(
        INTAKE,
        json={
            "questionnaireVersion": 2,
            "goals": ["build_muscle"],
            "preferences": {"trainingDaysPerWeek": 6},
            "healthFlags": ["knee_injury"],
            "consentAccepted": True,
        },
        headers=customer.headers,
    )
    assert response.status_code == 200, response.text

    for outsider in (customer, await factory.coach()):
        assert_error(
            await client.post(ADMIN_QUESTIONNAIRES, json=_new_version(), headers=outsider.headers),
            403,
        )
        assert_error(await client.get(ADMIN_QUESTIONNAIRES, headers=outsider.headers), 403)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda body: body["goals"].append({"key": "fly", "label": "Fly"}), None),
        (
            lambda body: body["preferences"].append(
                {"key": "days", "label": "Days", "type": "single_choice"}
            ),
            "Preference days needs options",
        ),
        (
            lambda body: body["preferences"].append(
                {"key": "weeks", "label": "Weeks", "type": "integer", "min": 9, "max": 3}
            ),
            "Preference weeks needs min <= max",
        ),
        (
            lambda body: body["preferences"].append(dict(body["preferences"][0])),
            "Repeated preferences: trainingDaysPerWeek",
        ),
        (lambda body: body["healthFlags"][0].update(riskFlags=["bad_luck"]), None),
        (lambda body: body.update(goals=[]), None),
        (lambda body: body.update(extra=1), "extra is not an accepted field"),
    ],
)
async def test_questionnaire_structure_is_validated(
    client: httpx.AsyncClient, factory: Factory, change: Any, message: str | None
) -> None:
    admin = await factory.admin()
    body = _new_version()
    change(body)
    response = await client.post(ADMIN_QUESTIONNAIRES, json=body, headers=admin.headers)
    assert_error(response, 422, message)
