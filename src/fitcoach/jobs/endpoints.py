"""GET /api/v1/admin/jobs (a state's jobs, paginated) and POST /api/v1/admin/jobs/{id}/retry
(a dead job runs again; audited). Admins only."""

from __future__ import annotations

from fastapi import APIRouter

from fitcoach.access.dependencies import AdminUser
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import JobIdPath
from fitcoach.jobs.schemas import JobOut, JobStateFilter
from fitcoach.jobs.service import jobs_service

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get(
    "/jobs",
    response_model=DataEnvelope[Page[JobOut]],
    responses=error_responses(401, 403, 422),
    summary="Background jobs in one state, e.g. the dead letters (admin)",
)
async def list_jobs(
    _admin: AdminUser,
    session: ReadSession,
    page: PageRequestDep,
    clock: ClockDep,
    state: JobStateFilter = "dead",
) -> DataEnvelope[Page[JobOut]]:
    jobs, total = await jobs_service.list(session, state, clock.now(), page)
    return ok(Page[JobOut].of([JobOut.of(job) for job in jobs], total, page))


@router.post(
    "/jobs/{jobId}/retry",
    response_model=DataEnvelope[JobOut],
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Run a dead job again with a fresh set of attempts (admin; audited)",
)
async def retry_job(
    job_id: JobIdPath, _admin: AdminUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[JobOut]:
    return ok(JobOut.of(await jobs_service.retry(session, job_id, clock.now())))
