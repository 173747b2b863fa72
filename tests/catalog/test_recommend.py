"""Recommendations, at the service level: goal overlap first, then preferences, then rating;
never a product contraindicated by the customer's risk flags; a reason for each pick."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import httpx
from fastapi import FastAPI

from fitcoach.catalog.recommendations.service import Recommendation, recommendations_service
from fitcoach.core.clock import FrozenClock
from fitcoach.models.vocabulary import Goal, RiskFlag
from tests.catalog.payloads import create_product, post_review, published_product
from tests.factories import Factory


async def _recommend(
    app: FastAPI,
    goals: Sequence[Goal],
    preferences: Mapping[str, object] | None = None,
    risk_flags: Collection[RiskFlag] = (),
    limit: int = 10,
) -> list[Recommendation]:
    async with app.state.sessionmaker() as session:
        return await recommendations_service.recommend(
            session,
            goals=goals,
            preferences=preferences or {},
            risk_flags=risk_flags,
            limit=limit,
        )


def _titles(picks: list[Recommendation]) -> list[str]:
    return [pick.product.title for pick in picks]


def _program(title: str, goals: list[str], **overrides: object) -> dict[str, object]:
    included = {"sessionsPerMonth": 0}
    fields: dict[str, object] = {
        "title": title,
        "goals": goals,
        "durationWeeks": 12,
        "level": "intermediate",
        "contraindications": [],
        "included": included,
    }
    fields.update(overrides)
    return fields


async def test_goal_overlap_ranks_first_then_preferences(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI, clock: FrozenClock
) -> None:
    coach = await factory.coach()
    specs = [
        _program("Both goals", ["lose_weight", "general_fitness"], durationWeeks=4),
        _program("One goal, 12 weeks beginner", ["lose_weight"], level="beginner"),
        _program("One goal, 10 weeks", ["general_fitness"], durationWeeks=10),
        _program("One goal, 30 weeks", ["lose_weight"], durationWeeks=30),
        _program("Other goal", ["build_muscle"], level="beginner"),
    ]
    for spec in specs:
        await published_product(client, coach, **spec)
        clock.advance(seconds=1)
    await create_product(client, coach, **_program("Draft", ["lose_weight"]))

    picks = await _recommend(
        app,
        [Goal.lose_weight, Goal.general_fitness],
        {"programWeeks": 12, "level": "beginner"},
    )
    assert _titles(picks) == [
        "Both goals",
        "One goal, 12 weeks beginner",
        "One goal, 10 weeks",
        "One goal, 30 weeks",
    ]
    assert [pick.score for pick in picks] == sorted((pick.score for pick in picks), reverse=True)
    assert picks[0].reason == (
        "Matches your goals: lose weight, general fitness; 4 weeks (you asked for 12)"
    )
    assert (
        picks[1].reason == "Matches your goals: lose weight; 12 weeks as you asked; beginner level"
    )

    assert _titles(await _recommend(app, [Goal.lose_weight], limit=2)) == [
        "One goal, 30 weeks",  # without preferences, newest first among equals
        "One goal, 12 weeks beginner",
    ]
    everything = await _recommend(app, [], {"level": "beginner"})
    assert len(everything) == 5
    assert set(_titles(everything)[:2]) == {"One goal, 12 weeks beginner", "Other goal"}


async def test_live_sessions_and_rating_break_ties(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    coach = await factory.coach()
    plain = await published_product(client, coach, **_program("No sessions", ["lose_weight"]))
    await published_product(
        client, coach, **_program("Sessions", ["lose_weight"], included={"sessionsPerMonth": 4})
    )
    picks = await _recommend(app, [Goal.lose_weight], {"wantsLiveSessions": True})
    assert _titles(picks) == ["Sessions", "No sessions"]
    assert picks[0].reason == "Matches your goals: lose weight; 4 live sessions a month"

    await post_review(client, await factory.customer(), plain["id"], 5)
    assert _titles(await _recommend(app, [Goal.lose_weight])) == ["No sessions", "Sessions"]


async def test_contraindicated_products_are_never_recommended(
    client: httpx.AsyncClient, factory: Factory, app: FastAPI
) -> None:
    coach = await factory.coach()
    await published_product(
        client,
        coach,
        **_program("Cardio blast", ["lose_weight"], contraindications=["cardiac_condition"]),
    )
    await published_product(
        client,
        coach,
        **_program("Heavy lifting", ["lose_weight"], contraindications=["joint_or_back_pain"]),
    )
    await published_product(client, coach, **_program("Gentle walk", ["lose_weight"]))

    picks = await _recommend(app, [Goal.lose_weight], risk_flags={RiskFlag.cardiac_condition})
    assert set(_titles(picks)) == {"Heavy lifting", "Gentle walk"}
    picks = await _recommend(
        app,
        [Goal.lose_weight],
        {"programWeeks": "twelve", "level": "godlike", "wantsLiveSessions": "yes"},
        risk_flags=[RiskFlag.cardiac_condition, RiskFlag.joint_or_back_pain],
    )
    assert _titles(picks) == ["Gentle walk"]
    assert picks[0].reason == "Matches your goals: lose weight"
    assert await _recommend(app, [Goal.healthy_eating]) == []
