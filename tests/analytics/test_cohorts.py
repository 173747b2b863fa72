"""The cohort table through HTTP on a seeded history, against figures computed by hand; the
drilldown of a cell, and its tokens refused when altered, expired or shown by someone else."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import date
from typing import Any

import pytest

from fitcoach.analytics.cohorts.repository import COHORT_SORT_MEMORY
from fitcoach.core.clock import FrozenClock
from fitcoach.models import TrainingDay
from tests.factories import Account, Factory, assert_error, with_settings
from tests.training.helpers import set_local_time

COHORTS = "/api/v1/analytics/cohorts"
DRILLDOWN = "/api/v1/analytics/cohorts/drilldown"

# Local days with (items scheduled, items done) of each customer; a day with nothing done
# is not activity (E's).
DAYS: dict[str, list[tuple[str, int, int]]] = {
    "Ann": [("2026-09-12", 2, 2), ("2026-10-03", 2, 1), ("2026-11-20", 4, 2)],
    "Bob": [("2026-09-25", 1, 1), ("2026-11-02", 3, 3)],
    "Cat": [],
    "Dan": [("2026-10-06", 2, 1), ("2026-12-01", 2, 2)],
    "Eve": [("2026-10-20", 3, 0)],
}


class History:
    def __init__(
        self, customers: dict[str, Account], coach: Account, other_coach: Account, admin: Account
    ) -> None:
        self.customers = customers
        self.coach = coach
        self.other_coach = other_coach
        self.admin = admin


@pytest.fixture
async def history(factory: Factory, clock: FrozenClock) -> History:
    """Ann, Bob and Cat sign up in September, Dan and Eve in October; today is 7 December.
    Coach looks after Ann, Bob and Dan; the other coach after Cat and Eve."""
    customers: dict[str, Account] = {}
    for name, signed_up in (
        ("Ann", "2026-09-10T09:00:00"),
        ("Bob", "2026-09-20T09:00:00"),
        ("Cat", "2026-09-30T09:00:00"),
        ("Dan", "2026-10-05T09:00:00"),
        ("Eve", "2026-10-06T09:00:00"),
    ):
        set_local_time(clock, signed_up, "UTC")
        customers[name] = await factory.customer(name=name, password=None)
    set_local_time(clock, "2026-12-07T12:00:00", "UTC")
    coach = await factory.coach(name="Coach Kim")
    other_coach = await factory.coach(name="Coach Lee")
    admin = await factory.admin()
    for name in ("Ann", "Bob", "Dan"):
        await factory.assign_coach(coach, customers[name])
    for name in ("Cat", "Eve"):
        await factory.assign_coach(other_coach, customers[name])
    async with factory.app.state.sessionmaker() as session, session.begin():
        for name, days in DAYS.items():
            for day, items, done in days:
                session.add(
                    TrainingDay(
                        customer_id=customers[name].id,
                        local_date=date.fromisoformat(day),
                        workouts=items,
                        workouts_done=done,
                        items=items,
                        items_done=done,
                    )
                )
    return History(customers, coach, other_coach, admin)


async def _table(factory: Factory, caller: Account, **params: Any) -> dict[str, Any]:
    params = {"from": "2026-09-01", "periods": 5, **params}
    response = await factory.client.get(COHORTS, params=params, headers=caller.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _values(data: dict[str, Any]) -> dict[str, list[float | None]]:
    return {c["label"]: [cell["value"] for cell in c["cells"]] for c in data["cohorts"]}


async def test_the_cohort_table_matches_the_hand_computed_figures(
    factory: Factory, history: History
) -> None:
    admin = history.admin
    retention = await _table(factory, admin, metric="retention")
    assert [(c["label"], c["size"]) for c in retention["cohorts"]] == [
        ("2026-09", 3),
        ("2026-10", 2),
    ]
    # September: months 0-3 reached (Sep..Dec); October: months 0-2. Month 4 by nobody yet.
    assert _values(retention) == {
        "2026-09": [0.6667, 0.3333, 0.6667, 0.0, None],
        "2026-10": [0.5, 0.0, 0.5, None, None],
    }
    september = retention["cohorts"][0]["cells"]
    assert [(c["customers"], c["count"]) for c in september[:4]] == [(3, 2), (3, 1), (3, 2), (3, 0)]
    assert september[4]["drilldownToken"] is None

    churn = await _table(factory, admin, metric="churn")
    assert _values(churn) == {
        "2026-09": [0.3333, 0.3333, 0.3333, 1.0, None],
        "2026-10": [0.5, 0.5, 0.5, None, None],
    }
    adherence = await _table(factory, admin, metric="adherence")
    assert _values(adherence) == {
        "2026-09": [1.0, 0.5, 0.7143, None, None],
        "2026-10": [0.2, None, 1.0, None, None],
    }
    by_coach = await _table(factory, admin, dimension="coach", periods=1)
    # Cohorts are ordered by key, here the coaches' ids. Kim: Ann, Bob and Dan all active in
    # their first month; Lee: neither Cat nor Eve.
    cohort_values = [(c["label"], c["size"], c["cells"][0]["value"]) for c in by_coach["cohorts"]]
    assert sorted(cohort_values) == [("Coach Kim", 3, 1.0), ("Coach Lee", 2, 0.0)]
    by_channel = await _table(factory, admin, dimension="channel", periods=1)
    assert [(c["label"], c["size"]) for c in by_channel["cohorts"]] == [("phone", 5)]
    weekly = await _table(factory, admin, interval="week", periods=2)
    # Week 0 of each customer: Ann (2 days after signing up), Bob (5 days after), Dan (1 day).
    assert _values(weekly) == {"2026-09": [0.6667, 0.0], "2026-10": [0.5, 0.0]}


# The access token outlives the drilldown token, so the expiry refused is the drilldown's.
@with_settings(access_token_ttl_seconds=3600)
async def test_a_coach_sees_their_clients_only_and_drills_into_their_cells(
    factory: Factory, history: History, clock: FrozenClock
) -> None:
    table = await _table(factory, history.coach, metric="retention")
    assert _values(table) == {
        "2026-09": [1.0, 0.5, 1.0, 0.0, None],
        "2026-10": [1.0, 0.0, 1.0, None, None],
    }
    token = table["cohorts"][0]["cells"][0]["drilldownToken"]
    drilled = await factory.client.get(
        DRILLDOWN, params={"token": token}, headers=history.coach.headers
    )
    assert drilled.status_code == 200, drilled.text
    page = drilled.json()["data"]
    assert [c["name"] for c in page["items"]] == ["Ann", "Bob"]
    assert page["pagination"]["total"] == 2

    # The admin's churn cell of September, month 0: Cat, whom this coach may not see.
    admin_table = await _table(factory, history.admin, metric="churn")
    admin_token = admin_table["cohorts"][0]["cells"][0]["drilldownToken"]
    mine = await factory.client.get(
        DRILLDOWN, params={"token": admin_token}, headers=history.admin.headers
    )
    assert [c["name"] for c in mine.json()["data"]["items"]] == ["Cat"]
    for caller, shown in ((history.coach, admin_token), (history.other_coach, token)):
        refused = await factory.client.get(
            DRILLDOWN, params={"token": shown}, headers=caller.headers
        )
        assert_error(refused, 403, code="drilldown_token_invalid")

    payload, signature = token.split(".")
    altered = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    for bad in (f"{altered}.{signature}", f"{payload}.{'0' * len(signature)}", "garbage"):
        refused = await factory.client.get(
            DRILLDOWN, params={"token": bad}, headers=history.coach.headers
        )
        assert_error(refused, 403, code="drilldown_token_invalid")

    clock.advance(seconds=15 * 60)
    expired = await factory.client.get(
        DRILLDOWN, params={"token": token}, headers=history.coach.headers
    )
    assert_error(expired, 403, code="drilldown_token_expired")


async def test_customers_have_no_cohorts(factory: Factory, history: History) -> None:
    customer = await factory.customer()
    response = await factory.client.get(COHORTS, headers=customer.headers)
    assert_error(response, 403)
    bad = await factory.client.get(
        COHORTS, params={"metric": "mood"}, headers=history.admin.headers
    )
    assert_error(bad, 422)


@pytest.mark.postgres_only
async def test_the_reports_sort_memory_does_not_outlive_the_request(
    factory: Factory, history: History
) -> None:
    """The cohort statements run with more work_mem (a session SET, as safe requests run in
    autocommit); every pooled connection is back at the server's default afterwards."""
    engine = factory.app.state.engine
    async with engine.connect() as connection:
        default = (await connection.exec_driver_sql("SHOW work_mem")).scalar_one()
    assert default != COHORT_SORT_MEMORY
    await _table(factory, history.admin, metric="retention")
    cell = (await _table(factory, history.coach, metric="retention"))["cohorts"][0]["cells"][0]
    drilled = await factory.client.get(
        DRILLDOWN, params={"token": cell["drilldownToken"]}, headers=history.coach.headers
    )
    assert drilled.status_code == 200, drilled.text
    async with AsyncExitStack() as held:
        # Every idle connection at once, so none is missed.
        connections = [
            await held.enter_async_context(engine.connect())
            for _ in range(max(engine.pool.checkedin(), 1))
        ]
        for connection in connections:
            shown = (await connection.exec_driver_sql("SHOW work_mem")).scalar_one()
            assert shown == default
