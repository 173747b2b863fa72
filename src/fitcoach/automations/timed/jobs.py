"""The hourly scan of time-based triggers: hourly, so that each customer's local day is seen
within an hour of its start wherever they live."""

from __future__ import annotations

from fitcoach.automations.timed.service import timed_triggers
from fitcoach.worker.jobs import JobContext, recurring


@recurring("automations.scan_time_triggers", cron="5 * * * *")
async def scan_time_triggers_job(ctx: JobContext) -> None:
    await timed_triggers.scan(ctx.session, ctx.now)
