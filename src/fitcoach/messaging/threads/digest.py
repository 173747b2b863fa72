"""The unread-message e-mail digest: a recurring job gathers, per recipient, the messages still
unread some time after they were sent and tells them in one notification (e-mail by default,
as their preferences for the "message_digest" category say). Each participant's digest
position moves past what was told, so no message is in two digests."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.messaging.threads.repository import UnreadGroup, threads_repository
from fitcoach.models.enums import NotificationCategory
from fitcoach.notifications.service import NotificationRequest, notification_service
from fitcoach.worker.jobs import JobContext, recurring


def _body(groups: list[UnreadGroup]) -> str:
    lines = [f"{group.count} from {group.sender_name}" for group in groups]
    return "You have unread messages: " + "; ".join(lines) + "."


async def send_unread_digests(session: AsyncSession, now: datetime, after: timedelta) -> int:
    """One digest to each person with messages unread for `after`; how many were sent."""
    by_user: dict[uuid.UUID, list[UnreadGroup]] = defaultdict(list)
    for group in await threads_repository.undigested_unread(session, now - after):
        by_user[group.user_id].append(group)
    sent = 0
    for user_id, groups in by_user.items():
        positions = {
            (
                group.thread_id,
                max(one.last_seq for one in groups if one.thread_id == group.thread_id),
            )
            for group in groups
        }
        claimed = [
            (thread_id, up_to)
            for thread_id, up_to in sorted(positions)
            if await threads_repository.mark_digested(session, user_id, thread_id, up_to)
        ]
        if not claimed:
            continue
        told = [group for group in groups if any(group.thread_id == t for t, _ in claimed)]
        total = sum(group.count for group in told)
        key = hashlib.sha256(repr((str(user_id), claimed)).encode()).hexdigest()[:32]
        await notification_service.notify(
            session,
            NotificationRequest(
                user_id=user_id,
                category=NotificationCategory.message_digest,
                title=f"{total} unread message{'s' if total != 1 else ''}",
                body=_body(told),
                data={"threadIds": [str(thread_id) for thread_id, _ in claimed]},
                dedupe_key=f"digest:{key}",
            ),
            now,
        )
        sent += 1
    return sent


@recurring("messaging.send_unread_digests", cron="*/5 * * * *")
async def send_unread_digests_job(ctx: JobContext) -> None:
    minutes = ctx.state.settings.message_digest_after_minutes
    await send_unread_digests(ctx.session, ctx.now, timedelta(minutes=minutes))
