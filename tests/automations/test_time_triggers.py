"""Time-based triggers: a rule names a threshold ("no workout for 3 days", "subscription ending in
2 days", "a message unanswered for 4 hours"); the hourly scan records an event for each customer
who has reached a threshold some active rule names, on the customer's local day, once; the
event then runs through the rules like any other."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from fitcoach.automations.timed.events import (
    MessageUnanswered,
    SubscriptionEnding,
    WorkoutsLapsed,
)
from fitcoach.automations.timed.service import timed_triggers
from fitcoach.core.clock import FrozenClock, as_utc
from fitcoach.models import CustomerTag, OutboxEvent, Subscription, TrainingDay, User
from fitcoach.worker.store import relay_outbox
from tests.factories import Account, Factory, assert_error, with_settings
from tests.messaging.helpers import sent
from tests.training.helpers import set_local_time

URL = "/api/v1/automations"
# The scan and the rules are driven by hand: no worker polls the outbox under the test.
pytestmark = with_settings(scheduler_enabled=False, access_token_ttl_seconds=86_400)


def _rule(trigger: dict[str, Any], tag: str) -> dict[str, Any]:
    return {
        "name": f"Tag {tag}",
        "trigger": trigger,
        "actions": [{"type": "tag", "tag": tag}],
        "status": "active",
        "frequencyCap": {"maxRuns": 5, "perHours": 24},
    }


async def _activate(client: httpx.AsyncClient, admin: Account, trigger: dict[str, Any], tag: str):  # type: ignore[no-untyped-def]
    response = await client.post(URL, json=_rule(trigger, tag), headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


async def _scan(app: FastAPI) -> int:
    """The hourly job's work, then the rules on what it recorded, as the workers would."""
    async with app.state.sessionmaker() as session, session.begin():
        recorded = await timed_triggers.scan(session, app.state.clock.now())
    for job_id in await relay_outbox(app.state.sessionmaker, 500):
        await app.state.worker.runner.run(job_id, set())
    return recorded


async def _tags(app: FastAPI, tag: str) -> set[str]:
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(select(CustomerTag.customer_id).where(CustomerTag.tag == tag))
        return {str(row) for row in rows}


async def _events(app: FastAPI, event_type: str) -> int:
    async with app.state.sessionmaker() as session:
        found = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == event_type)
        )
        return int(found or 0)


async def _live_in(app: FastAPI, account: Account, zone: str) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(update(User).where(User.id == account.id).values(time_zone=zone))


async def _worked_out(app: FastAPI, account: Account, on: str) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        session.add(
            TrainingDay(
                customer_id=account.id,
                local_date=date.fromisoformat(on),
                workouts=1,
                workouts_done=1,
                items=1,
                items_done=1,
            )
        )


async def test_a_time_trigger_names_its_threshold(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    admin = await factory.admin()
    lapsed = {"event": WorkoutsLapsed.type}
    for trigger, path in (
        (lapsed, "trigger.days"),
        ({**lapsed, "days": 0}, "trigger.days"),
        ({**lapsed, "days": "7"}, "trigger.days"),
        ({**lapsed, "days": 7, "hours": 2}, "trigger.hours"),
        ({"event": MessageUnanswered.type, "days": 2}, "trigger.days"),
    ):
        response = await client.post(URL, json=_rule(trigger, "x"), headers=admin.headers)
        assert_error(response, 422)
        assert path in response.text, (trigger, response.text)
    catalog = await client.get(f"{URL}/catalog", headers=admin.headers)
    assert catalog.status_code == 200, catalog.text
    by_event = {one["event"]: one for one in catalog.json()["data"]["triggers"]}
    assert by_event[WorkoutsLapsed.type]["threshold"] == {
        "name": "days",
        "minimum": 1,
        "maximum": 365,
    }
    assert by_event[MessageUnanswered.type]["threshold"]["name"] == "hours"
    assert by_event[SubscriptionEnding.type]["threshold"]["minimum"] == 0


async def test_no_workout_for_n_days_counts_the_customers_local_days(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, "2026-12-07T20:00:00", "UTC")
    admin = await factory.admin()
    london, auckland, recent = [await factory.customer() for _ in range(3)]
    await _live_in(app, london, "Europe/London")
    await _live_in(app, auckland, "Pacific/Auckland")
    for customer in (london, auckland):
        await _worked_out(app, customer, "2026-12-04")
    await _worked_out(app, recent, "2026-12-04")
    await _worked_out(app, recent, "2026-12-06")
    await _activate(client, admin, {"event": WorkoutsLapsed.type, "days": 3}, "lapsed-3")
    await _activate(client, admin, {"event": WorkoutsLapsed.type, "days": 5}, "lapsed-5")

    # 20:00 on 7 December in London; already 09:00 on 8 December in Auckland (4 days).
    assert await _scan(app) == 1
    assert await _tags(app, "lapsed-3") == {london.user_id}
    assert await _tags(app, "lapsed-5") == set()
    # The next hour's scan finds the same fact: nothing is recorded twice.
    clock.advance(seconds=3600)
    assert await _scan(app) == 0

    # A day on, Auckland has been away 5 local days: only the 5-day rule meets its event.
    set_local_time(clock, "2026-12-09T12:00:00", "Pacific/Auckland")
    await _scan(app)
    assert await _tags(app, "lapsed-5") == {auckland.user_id}
    assert await _tags(app, "lapsed-3") == {london.user_id}
    # (London, on 8 December at 23:00, is 4 days away: no rule waits for 4.) Every recorded
    # event is one customer at one threshold of one lapse: London at 3, Auckland at 5.
    assert await _events(app, WorkoutsLapsed.type) == 2


async def test_a_subscription_ending_in_n_days_unless_a_later_term_follows(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin = await factory.admin()
    ending, renewed = await factory.customer(), await factory.customer()
    async with app.state.sessionmaker() as session, session.begin():
        term = await session.scalar(select(Subscription).where(Subscription.user_id == ending.id))
        assert term is not None
        ends_at = as_utc(term.ends_at)
        follower = await session.scalar(
            select(Subscription).where(Subscription.user_id == renewed.id)
        )
        assert follower is not None
        session.add(
            Subscription(
                user_id=renewed.id,
                type="paid",
                days=30,
                starts_at=follower.ends_at,
                ends_at=follower.ends_at + timedelta(days=30),
            )
        )
    await _activate(client, admin, {"event": SubscriptionEnding.type, "days": 2}, "ending-2")

    # Noon (UTC, the customer's zone) two days before the day the trial ends.
    two_days_before = datetime.combine(ends_at.date() - timedelta(days=2), time(12), UTC)
    assert two_days_before > clock.now()
    clock.advance(seconds=(two_days_before - clock.now()).total_seconds())
    assert await _scan(app) == 1
    assert await _tags(app, "ending-2") == {ending.user_id}
    assert await _scan(app) == 0


async def test_a_message_unanswered_for_n_hours_until_someone_answers(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock
) -> None:
    admin, coach = await factory.admin(), await factory.coach()
    waiting, answered = await factory.customer(), await factory.customer()
    for customer in (waiting, answered):
        await factory.assign_coach(coach, customer)
        await sent(client, customer, coach, "Can we move Thursday?")
    clock.advance(seconds=3600)
    await sent(client, coach, answered, "Sure")
    await _activate(client, admin, {"event": MessageUnanswered.type, "hours": 4}, "waiting-4")

    clock.advance(seconds=2 * 3600)
    assert await _scan(app) == 0  # three hours: not yet
    clock.advance(seconds=3600 + 60)
    assert await _scan(app) == 1
    assert await _tags(app, "waiting-4") == {waiting.user_id}
    assert await _scan(app) == 0


@pytest.mark.parametrize("status", ["draft", "paused"])
async def test_no_active_rule_no_scan(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory, clock: FrozenClock, status: str
) -> None:
    """Only thresholds of active rules are looked for: the history holds no event nobody uses."""
    admin, customer = await factory.admin(), await factory.customer()
    await _worked_out(app, customer, (clock.now() - timedelta(days=3)).date().isoformat())
    body = _rule({"event": WorkoutsLapsed.type, "days": 3}, "unused")
    response = await client.post(URL, json={**body, "status": status}, headers=admin.headers)
    assert response.status_code == 201, response.text
    assert await _scan(app) == 0
    assert await _events(app, WorkoutsLapsed.type) == 0
