"""The raw readings of one customer over a span, each as (instant or local day, value); the
service has checked the caller may see the customer. Each metric is one indexed range query."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.models import ItemLog, ProgressEntry, TrainingDay, WearableMetric


@dataclass(frozen=True)
class Span:
    customer_id: uuid.UUID
    start: datetime  # UTC instants bounding the local days asked for
    end: datetime
    first_day: date
    last_day: date


class ProgressReadings:
    async def entries(
        self, session: AsyncSession, span: Span, kind: str, site: str | None = None
    ) -> list[tuple[datetime, float, str]]:
        """Progress entries of one kind (and girth site): instant, value, unit."""
        statement = select(
            ProgressEntry.measured_at, ProgressEntry.value, ProgressEntry.unit
        ).where(
            ProgressEntry.customer_id == span.customer_id,
            ProgressEntry.measured_at >= span.start,
            ProgressEntry.measured_at < span.end,
            ProgressEntry.kind == kind,
            ProgressEntry.value.is_not(None),
        )
        if site is not None:
            statement = statement.where(ProgressEntry.site == site)
        rows = await session.execute(statement)
        return [(at, float(value or 0.0), unit or "") for at, value, unit in rows]

    async def wearable(
        self, session: AsyncSession, span: Span, kind: str
    ) -> list[tuple[datetime, float]]:
        statement = select(WearableMetric.started_at, WearableMetric.value).where(
            WearableMetric.customer_id == span.customer_id,
            WearableMetric.kind == kind,
            WearableMetric.started_at >= span.start,
            WearableMetric.started_at < span.end,
        )
        return [(at, float(value)) for at, value in await session.execute(statement)]

    async def training_days(
        self, session: AsyncSession, span: Span
    ) -> list[tuple[date, int, int, int]]:
        """Local day, workouts done, items scheduled, items done."""
        statement = select(
            TrainingDay.local_date,
            TrainingDay.workouts_done,
            TrainingDay.items,
            TrainingDay.items_done,
        ).where(
            TrainingDay.customer_id == span.customer_id,
            TrainingDay.local_date >= span.first_day,
            TrainingDay.local_date <= span.last_day,
        )
        return [tuple(row) for row in await session.execute(statement)]  # type: ignore[misc]

    async def completed_logs(
        self, session: AsyncSession, span: Span, subject_type: str
    ) -> list[tuple[date, dict[str, Any]]]:
        """Local day and metrics of the completed items of one type."""
        statement: Select[tuple[date, dict[str, Any]]] = select(
            ItemLog.local_date, ItemLog.metrics
        ).where(
            and_(
                ItemLog.customer_id == span.customer_id,
                ItemLog.local_date >= span.first_day,
                ItemLog.local_date <= span.last_day,
                ItemLog.subject_type == subject_type,
                ItemLog.status == "completed",
            )
        )
        return [(day, metrics or {}) for day, metrics in await session.execute(statement)]


progress_readings = ProgressReadings()
