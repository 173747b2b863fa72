"""The free trial's end, announced two days before: the user's own calendar decides what "in
two days" means. It runs as a recurring job (hourly reaches every zone's morning); the
dedupe key (the trial and its end date) makes every run after the first one a no-op, and a
trial lengthened by an admin is announced again for its new end."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models.enums import NotificationCategory, SubscriptionType
from fitcoach.notifications.quiet_hours import zone_of
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.subscriptions.repository import subscription_repository
from fitcoach.subscriptions.service import subscription_service
from fitcoach.worker.jobs import JobContext, recurring

NOTICE_DAYS = 2
# Every zone's "the day after tomorrow" lies within this many days of now, UTC±14 included.
_SEARCH_DAYS = NOTICE_DAYS + 2


async def announce_trials_ending(session: AsyncSession, now: datetime) -> int:
    """Notify every user whose free trial ends on the day after tomorrow, their time; how many
    were newly notified."""
    announced = 0
    candidates = await subscription_repository.free_ending_between(
        session, now, now + timedelta(days=_SEARCH_DAYS)
    )
    for trial, time_zone in candidates:
        zone = zone_of(time_zone)
        if (
            trial.ends_at.astimezone(zone).date() - now.astimezone(zone).date()
        ).days != NOTICE_DAYS:
            continue
        status = await subscription_service.status(session, trial.user_id, now)
        if status.type is not SubscriptionType.free or status.current is None:
            # A paying user's trial ending is no news to them.
            continue
        if status.current.id != trial.id:
            continue
        local_end = trial.ends_at.astimezone(zone)
        notification = await notification_service.notify(
            session,
            NotificationRequest(
                user_id=trial.user_id,
                category=NotificationCategory.trial,
                title="Your free trial ends in 2 days",
                body=f"Your free trial ends on {local_end:%A %d %B at %H:%M}. "
                "Subscribe to keep your plans and coaching.",
                data={"subscriptionId": str(trial.id), "endsAt": trial.ends_at.isoformat()},
                dedupe_key=f"trial.ending:{trial.id}:{trial.ends_at.isoformat()}",
            ),
            now,
        )
        if notification is not None:
            announced += 1
    return announced


@recurring("subscriptions.announce_trials_ending", cron="5 * * * *")
async def announce_trials_ending_job(ctx: JobContext) -> None:
    await announce_trials_ending(ctx.session, ctx.now)
