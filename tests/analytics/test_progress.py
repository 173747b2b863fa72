"""A customer's progress through HTTP: local-day and week buckets with gaps left as gaps, the
trend and forecast of a noisy straight line (the true slope inside the band), too little data,
units in the customer's preference, and who may read whose."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from fitcoach.core.clock import FrozenClock
from tests.analytics.helpers import PROGRESS, onboard, questionnaire_with_units, record_weight
from tests.factories import Factory, assert_error
from tests.training.helpers import set_local_time, set_timezone

NOW = "2026-12-07T12:00:00"  # a Monday, UTC


async def test_days_are_the_customers_local_days_and_a_day_without_readings_is_a_gap(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, NOW, "UTC")
    customer = await factory.customer()
    await set_timezone(factory, customer, "Asia/Tokyo")  # UTC+9
    # 6 December 23:30 UTC is already the 7th in Tokyo; two readings of one day are averaged.
    await record_weight(factory, customer, 80.0, "2026-12-06T23:30:00Z")
    await record_weight(factory, customer, 81.0, "2026-12-07T02:00:00Z")
    await record_weight(factory, customer, 82.0, "2026-12-04T03:00:00Z")

    response = await factory.client.get(
        PROGRESS, params={"range": "7d", "metrics": ["weight"]}, headers=customer.headers
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["from"], data["to"], data["interval"], data["timeZone"]) == (
        "2026-12-01",
        "2026-12-07",
        "day",
        "Asia/Tokyo",
    )
    [series] = data["series"]
    assert series["unit"] == "kg"
    assert [(p["start"], p["value"], p["readings"]) for p in series["points"]] == [
        ("2026-12-01", None, 0),
        ("2026-12-02", None, 0),
        ("2026-12-03", None, 0),
        ("2026-12-04", 82.0, 1),
        ("2026-12-05", None, 0),
        ("2026-12-06", None, 0),
        ("2026-12-07", 80.5, 1),
    ]
    # Two days with readings: the series, and why there is no trend.
    assert (series["trend"], series["forecast"], series["goal"]) == (None, [], None)
    assert series["reason"] == (
        "Too little data: a trend and forecast need readings in at least 5 days of the range; "
        "this range has 2"
    )


async def test_a_noisy_line_gives_its_slope_within_the_band_a_forecast_and_a_goal_date(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, NOW, "UTC")
    admin = await factory.admin()
    await questionnaire_with_units(factory, admin)
    customer = await factory.customer()
    await onboard(factory, customer, units="metric", targetWeightKg=75)
    # 90 days from 9 September: 90 kg falling 0.1 kg a day, noise of 0.3 kg, two readings a
    # week, and nothing in the weeks of 5 and 12 October (gaps, not zeros).
    first_day = date(2026, 9, 9)
    noise = random.Random(22)
    for offset in range(0, 90, 3):
        day = first_day + timedelta(days=offset)
        if date(2026, 10, 5) <= day < date(2026, 10, 19):
            continue
        value = 90 - 0.1 * offset + noise.gauss(0, 0.3)
        moment = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
        await record_weight(factory, customer, round(value, 2), moment.isoformat())

    response = await factory.client.get(
        PROGRESS, params={"range": "90d", "metrics": "weight"}, headers=customer.headers
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["from"], data["interval"]) == ("2026-09-09", "week")
    [series] = data["series"]
    points = {p["start"]: p for p in series["points"]}
    assert points["2026-09-07"]["readings"] == 2  # weeks start on Monday
    # The week of 7 December has had no reading yet either.
    gaps = {start for start, point in points.items() if point["value"] is None}
    assert gaps == {"2026-10-05", "2026-10-12", "2026-12-07"}

    trend = series["trend"]
    assert trend["slopePerWeekLow"] <= -0.7 <= trend["slopePerWeekHigh"]
    assert abs(trend["slopePerWeek"] + 0.7) < 0.1
    assert trend["rSquared"] > 0.9

    forecast = series["forecast"]
    assert [f["date"] for f in forecast] == ["2026-12-14", "2026-12-21", "2026-12-28", "2027-01-04"]
    for point in forecast:
        offset = (date.fromisoformat(point["date"]) - first_day).days
        truth = 90 - 0.1 * offset
        assert point["low95"] < point["low80"] < point["value"] < point["high80"] < point["high95"]
        assert point["low95"] <= truth <= point["high95"]

    # 75 kg is reached 150 days after 9 September: 6 February 2027, inside the band.
    goal = series["goal"]
    assert goal["target"] == 75
    projected = date.fromisoformat(goal["projectedDate"])
    assert abs((projected - date(2027, 2, 6)).days) <= 10
    assert (
        date.fromisoformat(goal["earliest"])
        <= date(2027, 2, 6)
        <= date.fromisoformat(goal["latest"])
    )


async def test_units_follow_the_customers_preference(factory: Factory, clock: FrozenClock) -> None:
    set_local_time(clock, NOW, "UTC")
    admin = await factory.admin()
    await questionnaire_with_units(factory, admin)
    customer = await factory.customer()
    await onboard(factory, customer, units="imperial")
    await record_weight(factory, customer, 100.0, "2026-12-07T07:00:00Z")
    await record_weight(factory, customer, 200.0, "2026-12-06T07:00:00Z", unit="lb")

    response = await factory.client.get(
        PROGRESS,
        params={"from": "2026-12-06", "to": "2026-12-07", "metrics": ["weight", "waist"]},
        headers=customer.headers,
    )
    assert response.status_code == 200, response.text
    weight, waist = response.json()["data"]["series"]
    assert (weight["unit"], waist["unit"]) == ("lb", "in")
    assert [p["value"] for p in weight["points"]] == [200.0, 220.4623]
    assert [p["value"] for p in waist["points"]] == [None, None]


async def test_a_customer_reads_their_own_a_coach_their_clients_an_admin_anyones(
    factory: Factory, clock: FrozenClock
) -> None:
    set_local_time(clock, NOW, "UTC")
    customer, other = await factory.customer(), await factory.customer()
    coach, other_coach, admin = await factory.coach(), await factory.coach(), await factory.admin()
    await factory.assign_coach(coach, customer)
    params = {"customerId": customer.user_id, "range": "30d"}
    for caller, status in (
        (customer, 200),
        (coach, 200),
        (admin, 200),
        (other, 404),
        (other_coach, 404),
    ):
        response = await factory.client.get(PROGRESS, params=params, headers=caller.headers)
        assert response.status_code == status, (caller, response.text)


async def test_a_range_is_either_named_or_given_by_dates(factory: Factory) -> None:
    customer = await factory.customer()
    for params in (
        {"range": "7d", "from": "2026-12-01"},
        {"from": "2026-12-07", "to": "2026-12-01"},
        {"from": "2024-01-01", "to": "2026-12-01"},
    ):
        response = await factory.client.get(PROGRESS, params=params, headers=customer.headers)
        assert_error(response, 422, code="progress_range_invalid")
    unknown = await factory.client.get(
        PROGRESS, params={"metrics": "mood"}, headers=customer.headers
    )
    assert_error(unknown, 422)
