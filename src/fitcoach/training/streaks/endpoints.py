"""Your streak, freezes, badges and the progress to your next badge."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.training.dependencies import CustomerUser
from fitcoach.training.streaks.rules import BADGE_RULES, StreakPolicy, StreakState, progress_of
from fitcoach.training.streaks.schemas import (
    AchievementsOut,
    BadgeOut,
    NextBadgeOut,
    StreakPolicyIn,
)
from fitcoach.training.streaks.service import streaks_service

router = APIRouter(tags=["training"])
_NAMES = {rule.badge.value: rule.name for rule in BADGE_RULES}


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
    streak = found.streak
    state = StreakState(
        current=streak.current if streak else 0,
        longest=streak.longest if streak else 0,
        freezes=streak.freezes if streak else 0,
        freezes_used=streak.freezes_used if streak else 0,
        perfect_weeks=streak.perfect_weeks if streak else 0,
    )
    workouts = streak.workouts if streak else 0
    held = {badge.badge for badge in found.badges}
    upcoming = [rule for rule in BADGE_RULES if rule.badge.value not in held]
    upcoming.sort(key=lambda rule: rule.target - progress_of(rule, state, workouts))
    following = upcoming[0] if upcoming else None
    return ok(
        AchievementsOut(
            current_streak=state.current,
            longest_streak=state.longest,
            freezes=state.freezes,
            freezes_used=state.freezes_used,
            workouts=workouts,
            badges=[
                BadgeOut(
                    badge=one.badge,
                    name=_NAMES.get(one.badge, one.badge),
                    awarded_at=one.awarded_at,
                )
                for one in found.badges
            ],
            next_badge=NextBadgeOut(
                badge=following.badge.value,
                name=following.name,
                progress=progress_of(following, state, workouts),
                target=following.target,
            )
            if following
            else None,
        )
    )


@router.put(
    "/admin/settings/streaks",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 422),
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
