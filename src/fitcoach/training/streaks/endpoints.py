"""Your streak, freezes, badges and the progress to your next badge; the admin's streak policy
and badges."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.training.dependencies import CustomerUser
from fitcoach.training.streaks.rules import BadgeRule, StreakPolicy
from fitcoach.training.streaks.schemas import (
    AchievementsOut,
    BadgeDefinitionIn,
    BadgeDefinitionOut,
    BadgeOut,
    NextBadgeOut,
    StreakPolicyIn,
)
from fitcoach.training.streaks.service import streaks_service

router = APIRouter(tags=["training"])


@router.get(
    "/me/achievements",
    response_model=DataEnvelope[AchievementsOut],
    responses=error_responses(401, 403),
    summary="Your streak, freezes, badges and the next badge's progress (customers)",
)
async def my_achievements(
    customer: CustomerUser, session: ReadSession
) -> DataEnvelope[AchievementsOut]:
    found = await streaks_service.achievements(session, customer.id)
    streak, following = found.streak, found.next_badge
    return ok(
        AchievementsOut(
            current_streak=streak.current if streak else 0,
            longest_streak=found.standing.longest,
            freezes=streak.freezes if streak else 0,
            freezes_used=streak.freezes_used if streak else 0,
            workouts=found.standing.workouts,
            badges=[
                BadgeOut(badge=badge.badge, name=name, awarded_at=badge.awarded_at)
                for badge, name in found.badges
            ],
            next_badge=NextBadgeOut(
                badge=following.code,
                name=following.name,
                progress=found.standing.progress(following),
                target=following.target,
            )
            if following
            else None,
        )
    )


@router.put(
    "/admin/settings/streaks",
    response_model=MessageEnvelope,
    responses=error_responses(400, 401, 403, 422),
    summary="Set what makes a day count and how freezes are earned (admin)",
)
async def set_streak_policy(
    body: StreakPolicyIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> MessageEnvelope:
    policy = StreakPolicy(
        day_share=body.day_share,
        freeze_every=body.freeze_every_days,
        max_freezes=body.max_freezes,
    )
    await streaks_service.set_policy(session, admin, policy, clock.now())
    return said("Streak policy updated")


@router.post(
    "/admin/badges",
    response_model=DataEnvelope[BadgeDefinitionOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 409, 422),
    summary="Define a badge earned when workouts, the longest streak or perfect weeks reach a "
    "target (admin)",
)
async def define_badge(
    body: BadgeDefinitionIn, admin: AdminUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[BadgeDefinitionOut]:
    rule = BadgeRule(body.code, body.name, body.measure, body.target)
    definition = await streaks_service.define_badge(session, admin, rule, clock.now())
    return ok(BadgeDefinitionOut.model_validate(definition))
