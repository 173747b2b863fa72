"""Which published products are recommended to a customer, and why."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.catalog.recommendations.repository import recommendations_repository
from fitcoach.models import Product
from fitcoach.models.vocabulary import Goal, Level, RiskFlag

# Recommendation scores: each goal served outweighs every preference together.
GOAL_POINTS = 1000.0
PREFERENCE_POINTS = 100.0


@dataclass(frozen=True)
class Recommendation:
    """A product picked for a customer; only the order of scores is meaningful."""

    product: Product
    score: float
    reason: str


class RecommendationsService:
    async def recommend(
        self,
        session: AsyncSession,
        *,
        goals: Sequence[Goal],
        preferences: Mapping[str, object],
        risk_flags: Collection[RiskFlag],
        limit: int = 10,
    ) -> list[Recommendation]:
        """Published products for a customer, best first: those serving more of `goals` first
        (with goals given, only products serving at least one), then by how well they fit the
        preferences `programWeeks` (int, closer is better), `level` (a Level key) and
        `wantsLiveSessions` (bool: products with live sessions first), then by rating. A product
        contraindicated by any of `risk_flags` is never returned. Unknown or ill-typed
        preferences are ignored."""
        wanted_goals = [Goal(goal) for goal in dict.fromkeys(goals)]
        risks = {RiskFlag(flag).value for flag in risk_flags}
        weeks = preferences.get("programWeeks")
        wanted_weeks = weeks if isinstance(weeks, int) and not isinstance(weeks, bool) else None
        level = preferences.get("level")
        wanted_level = level if isinstance(level, str) and level in set(Level) else None
        wants_sessions = preferences.get("wantsLiveSessions") is True

        candidates = await recommendations_repository.recommendation_candidates(
            session, [goal.value for goal in wanted_goals]
        )
        picks: list[Recommendation] = []
        for product, _ in candidates:
            if risks.intersection(product.contraindications):
                continue
            served = [goal for goal in wanted_goals if goal.value in product.goals]
            score = GOAL_POINTS * len(served)
            reasons: list[str] = []
            if served:
                names = ", ".join(goal.value.replace("_", " ") for goal in served)
                reasons.append(f"Matches your goals: {names}")
            if wanted_weeks is not None:
                gap = abs(product.duration_weeks - wanted_weeks)
                score += PREFERENCE_POINTS / (1 + gap)
                if gap == 0:
                    reasons.append(f"{product.duration_weeks} weeks as you asked")
                else:
                    reasons.append(f"{product.duration_weeks} weeks (you asked for {wanted_weeks})")
            if wanted_level is not None and product.level == wanted_level:
                score += PREFERENCE_POINTS
                reasons.append(f"{product.level} level")
            if wants_sessions and product.sessions_per_month > 0:
                score += PREFERENCE_POINTS
                reasons.append(f"{product.sessions_per_month} live sessions a month")
            if not reasons:
                reasons.append(f"{product.duration_weeks}-week {product.level} program")
            picks.append(Recommendation(product=product, score=score, reason="; ".join(reasons)))
        picks.sort(
            key=lambda pick: (
                -pick.score,
                -pick.product.rating_average,
                -pick.product.rating_count,
                -pick.product.created_at.timestamp(),
                str(pick.product.id),
            )
        )
        return picks[: max(limit, 0)]


recommendations_service = RecommendationsService()
