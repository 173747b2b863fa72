"""Listing, retrying and discarding jobs, for the admin API and the `fitcoach jobs` command.
Retries and discards are audited."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.http.pagination import PageRequest, fetch_page
from fitcoach.jobs.exceptions import JobNotDiscardable, JobNotFound, JobNotRetryable
from fitcoach.models import Job
from fitcoach.worker import store
from fitcoach.worker.runtime import kick_after_commit


class JobsService:
    async def list(
        self, session: AsyncSession, state: str, now: datetime, page: PageRequest
    ) -> tuple[list[Job], int]:
        return await fetch_page(session, store.jobs_in_state(state, now), page)

    async def retry(self, session: AsyncSession, job_id: uuid.UUID, now: datetime) -> Job:
        """A dead job runs again, with a fresh set of attempts, as soon as the transaction
        commits."""
        if not await store.retry_dead(session, job_id, now):
            await self._refuse(session, job_id, JobNotRetryable())
        kick_after_commit(session, job_id)
        return await self._audited(session, job_id, "job.retried", now)

    async def discard(self, session: AsyncSession, job_id: uuid.UUID, now: datetime) -> Job:
        if not await store.discard(session, job_id):
            await self._refuse(session, job_id, JobNotDiscardable())
        return await self._audited(session, job_id, "job.discarded", now)

    async def _refuse(self, session: AsyncSession, job_id: uuid.UUID, refusal: Exception) -> None:
        if await session.get(Job, job_id) is None:
            raise JobNotFound()
        raise refusal

    async def _audited(
        self, session: AsyncSession, job_id: uuid.UUID, action: str, now: datetime
    ) -> Job:
        job = await session.get(Job, job_id, populate_existing=True)
        assert job is not None
        audit_service.record(
            session,
            AuditEvent(
                action=action,
                resource_type="job",
                resource_id=job.id,
                details={"name": job.name, "lastError": job.last_error},
            ),
            now,
        )
        return job


jobs_service = JobsService()
