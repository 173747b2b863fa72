"""The SLA sweep: every minute, warnings at 80 % of a deadline and breaches past it, each once."""

from __future__ import annotations

from fitcoach.messaging.support.service import support_service
from fitcoach.worker.jobs import JobContext, recurring


@recurring("support.sweep_sla", cron="* * * * *")
async def sweep_sla_job(ctx: JobContext) -> None:
    await support_service.sweep(ctx.session, ctx.now)
