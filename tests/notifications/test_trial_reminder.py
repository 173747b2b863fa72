"""The free trial's end, announced two days before in the user's own calendar: by calling the
job's function with a moved clock. Each trial is announced once, however often the job runs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from fitcoach.auth.otp.providers import OutboxSmsProvider
from fitcoach.core.clock import FrozenClock
from fitcoach.http.pagination import PageRequest
from fitcoach.models.enums import NotificationChannel
from fitcoach.notifications.channels import Outbox
from fitcoach.notifications.delivery import deliver_due_notifications
from fitcoach.notifications.service import notification_service
from fitcoach.subscriptions.reminders import announce_trials_ending
from fitcoach.subscriptions.service import subscription_service
from fitcoach.worker.jobs import JobContext, job_spec, recurring_jobs
from tests.factories import Account, Factory, with_settings
from tests.notifications.helpers import grant, inbox, move_to, register_fcm

TRIALS_JOB = "subscriptions.announce_trials_ending"


async def trial_of_three_days(app: FastAPI, factory: Factory, admin: Account) -> Account:
    customer = await factory.customer()
    async with app.state.sessionmaker() as session, session.begin():
        await subscription_service.set_free_days(
            session, customer.id, 3, admin.id, app.state.clock.now()
        )
    return customer


async def run_job(app: FastAPI) -> int:
    async with app.state.sessionmaker() as session, session.begin():
        return await announce_trials_ending(session, app.state.clock.now())


# The test moves the clock by most of a day: tokens must outlive it.
@with_settings(access_token_ttl_seconds=86_400)
async def test_announced_two_local_days_before_the_end_once(
    app: FastAPI,
    client: httpx.AsyncClient,
    factory: Factory,
    clock: FrozenClock,
    outbox: OutboxSmsProvider,
    pushes: Outbox,
) -> None:
    move_to(clock, datetime(2026, 12, 7, 2, 0, tzinfo=UTC))
    admin = await factory.admin()
    # Both trials end on 10 December at 02:00 UTC: 9 December, 18:00 in Los Angeles.
    in_utc = await trial_of_three_days(app, factory, admin)
    in_los_angeles = await trial_of_three_days(app, factory, admin)
    paying = await trial_of_three_days(app, factory, admin)
    await grant(client, admin, paying)
    response = await client.put(
        "/api/v1/notifications/preferences",
        json={"timeZone": "America/Los_Angeles"},
        headers=in_los_angeles.headers,
    )
    assert response.status_code == 200, response.text
    await register_fcm(client, in_los_angeles, "fcm-los-angeles")

    # 7 December, 10:00 UTC (02:00 in Los Angeles): the end is two days off only there.
    move_to(clock, datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    assert await run_job(app) == 1
    assert await run_job(app) == 0
    [item] = (await inbox(client, in_los_angeles))["items"]
    assert item["category"] == "trial"
    assert item["title"] == "Your free trial ends in 2 days"
    assert "Wednesday 09 December at 18:00" in item["body"]
    assert (await inbox(client, in_utc))["items"] == []

    await deliver_due_notifications(app.state.sessionmaker, app.state.notification_providers)
    assert [sms.phone for sms in outbox.messages] == [in_los_angeles.phone]
    assert outbox.messages[0].text.startswith("Your free trial ends in 2 days: ")
    assert len(pushes.to(in_los_angeles.id, NotificationChannel.push)) == 1

    # 8 December, 00:00 UTC: now the UTC user's turn; nobody is told twice.
    move_to(clock, datetime(2026, 12, 8, 0, 0, tzinfo=UTC))
    assert await run_job(app) == 1
    assert await run_job(app) == 0
    assert len((await inbox(client, in_utc))["items"]) == 1
    assert len((await inbox(client, in_los_angeles))["items"]) == 1
    # The paying customer's trial ends too, but a grant is all they hear about.
    assert [item["category"] for item in (await inbox(client, paying))["items"]] == ["subscription"]


async def test_a_lengthened_trial_is_announced_again_for_its_new_end(
    app: FastAPI, factory: Factory, clock: FrozenClock
) -> None:
    move_to(clock, datetime(2026, 12, 7, 2, 0, tzinfo=UTC))
    admin = await factory.admin()
    customer = await trial_of_three_days(app, factory, admin)
    move_to(clock, datetime(2026, 12, 8, 0, 0, tzinfo=UTC))
    assert await run_job(app) == 1

    async with app.state.sessionmaker() as session, session.begin():
        await subscription_service.set_free_days(session, customer.id, 5, admin.id, clock.now())
    move_to(clock, datetime(2026, 12, 10, 0, 0, tzinfo=UTC))
    assert await run_job(app) == 1
    async with app.state.sessionmaker() as session:
        listed = await notification_service.inbox(
            session, customer.id, PageRequest(page=1, page_size=10), unread_only=False
        )
    titles = [notification.title for notification in listed.items]
    assert titles == ["Your free trial ends in 2 days", "Your free trial ends in 2 days"]


@with_settings(access_token_ttl_seconds=86_400)
async def test_the_hourly_recurring_job_announces_the_trials(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    """What the scheduler runs: the registered recurring job, on its own transaction."""
    move_to(clock, datetime(2026, 12, 7, 2, 0, tzinfo=UTC))
    admin = await factory.admin()
    customer = await trial_of_three_days(app, factory, admin)
    schedule = {spec.name: spec.cron for spec in recurring_jobs()}
    assert schedule[TRIALS_JOB] == "5 * * * *"
    spec = job_spec(TRIALS_JOB)
    assert spec is not None
    # The trial ends on 10 December at 02:00 UTC; on the 8th it is two days away.
    move_to(clock, datetime(2026, 12, 8, 0, 0, tzinfo=UTC))

    for _ in range(2):  # a second run of the same hour announces nothing more
        async with app.state.sessionmaker() as session, session.begin():
            context = JobContext(
                session=session, now=clock.now(), job_id=uuid.uuid4(), attempt=1, state=app.state
            )
            await spec.function(context)

    [item] = (await inbox(client, customer))["items"]
    assert item["category"] == "trial"
