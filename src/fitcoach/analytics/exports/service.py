"""Finance exports: a request (202, pending), the job that builds and stores the file (or, its
attempts spent, marks the export failed), the signed link that opens it until it expires, and
the recurring job that deletes expired files."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.analytics.exceptions import ExportLinkInvalid, ExportNotFound
from fitcoach.analytics.exports.files import as_csv, as_xlsx
from fitcoach.analytics.exports.repository import exports_repository
from fitcoach.analytics.finance.service import FinanceQuery, finance_service
from fitcoach.core.crypto import derive_key, keyed_hash, same_digest
from fitcoach.models import Actor, FinanceExport
from fitcoach.storage import FileStorage
from fitcoach.worker.jobs import JobContext, PermanentJobError, enqueue_job, job, recurring

BUILD_JOB = "analytics.build_finance_export"
# A build that fails this often (storage down, a bug) is reported failed to the admin, who can
# ask again, rather than left pending for the retries' hours.
BUILD_ATTEMPTS = 5
FILE_HOURS = 24
LINK_SECONDS = 3600
RECENT = 10
CLEAN_UP_BATCH = 200
EXPORTS_STATE = "export_files"
_log = structlog.get_logger(__name__)
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


class ExportStatus(StrEnum):
    pending = "pending"
    ready = "ready"
    failed = "failed"
    expired = "expired"


@dataclass(frozen=True)
class Exports:
    """What exports work with: the storage area and the secret their links are signed with."""

    storage: FileStorage
    signing_secret: str


@dataclass(frozen=True)
class Link:
    url: str
    expires_at: datetime


def _key(export: FinanceExport) -> str:
    return f"finance/{export.id}.{export.format}"


def _signature(secret: str, export_id: uuid.UUID, expires: int) -> str:
    return keyed_hash(derive_key(secret, "finance-export-link"), str(export_id), str(expires))


class ExportsService:
    async def request(
        self,
        session: AsyncSession,
        admin: Actor,
        export_format: ExportFormat,
        query: FinanceQuery,
        now: datetime,
    ) -> FinanceExport:
        export = FinanceExport(
            id=uuid.uuid4(),
            requested_by_id=admin.id,
            format=export_format.value,
            query=query.as_json(),
            status=ExportStatus.pending.value,
        )
        exports_repository.add(session, export)
        await session.flush()
        enqueue_job(
            session, BUILD_JOB, {"export_id": str(export.id)}, dedupe_key=f"export:{export.id}"
        )
        return export

    async def recent(self, session: AsyncSession) -> list[FinanceExport]:
        return await exports_repository.recent(session, RECENT)

    def link(self, export: FinanceExport, secret: str, now: datetime) -> Link | None:
        """A link that opens a ready export for an hour, or until the file expires."""
        if export.status != ExportStatus.ready.value or export.expires_at is None:
            return None
        expires_at = min(export.expires_at, now + timedelta(seconds=LINK_SECONDS))
        expires = int(expires_at.timestamp())
        signature = _signature(secret, export.id, expires)
        url = f"/api/v1/exports/{export.id}/download?expires={expires}&signature={signature}"
        return Link(url, expires_at)

    async def open(
        self,
        session: AsyncSession,
        export_id: uuid.UUID,
        signed: tuple[int, str],
        exports: Exports,
        now: datetime,
    ) -> tuple[bytes, FinanceExport]:
        expires, signature = signed
        expected = _signature(exports.signing_secret, export_id, expires)
        if not same_digest(expected, signature) or expires <= now.timestamp():
            raise ExportLinkInvalid()
        export = await exports_repository.get(session, export_id)
        if export is None or export.status != ExportStatus.ready.value:
            raise ExportNotFound()
        data = await exports.storage.get(_key(export))
        if data is None:
            raise ExportNotFound()
        return data, export

    async def build(
        self, session: AsyncSession, export_id: uuid.UUID, storage: FileStorage, now: datetime
    ) -> None:
        export = await self._pending(session, export_id)
        if export is None:
            return  # built, or failed, by an earlier run of this job
        report = await finance_service.report(session, FinanceQuery.from_json(export.query), now)
        data = as_xlsx(report) if export.format == ExportFormat.xlsx.value else as_csv(report)
        await storage.put(_key(export), data)
        export.status = ExportStatus.ready.value
        export.size = len(data)
        export.completed_at = now
        export.expires_at = now + timedelta(hours=FILE_HOURS)
        export.updated_at = now
        await session.flush()

    async def fail(self, session: AsyncSession, export_id: uuid.UUID, now: datetime) -> None:
        export = await self._pending(session, export_id)
        if export is None:
            return
        export.status = ExportStatus.failed.value
        export.completed_at = now
        export.updated_at = now
        await session.flush()

    async def _pending(self, session: AsyncSession, export_id: uuid.UUID) -> FinanceExport | None:
        """The export still waiting for its file; None once it was built or failed."""
        export = await exports_repository.get(session, export_id)
        if export is None:
            raise PermanentJobError(f"export {export_id} is gone")
        return export if export.status == ExportStatus.pending.value else None

    async def delete_expired(
        self, session: AsyncSession, storage: FileStorage, now: datetime
    ) -> int:
        expired = await exports_repository.expired(session, now, CLEAN_UP_BATCH)
        for export in expired:
            await storage.delete(_key(export))
            export.status = ExportStatus.expired.value
            export.updated_at = now
        await session.flush()
        return len(expired)


exports_service = ExportsService()


def _storage(ctx: JobContext) -> FileStorage:
    exports: Exports = getattr(ctx.state, EXPORTS_STATE)
    return exports.storage


@job(BUILD_JOB, max_attempts=BUILD_ATTEMPTS)
async def build_finance_export(ctx: JobContext, export_id: str) -> None:
    try:
        async with ctx.session.begin_nested():
            await exports_service.build(ctx.session, uuid.UUID(export_id), _storage(ctx), ctx.now)
    except PermanentJobError:
        raise
    except Exception as exc:
        if ctx.attempt < BUILD_ATTEMPTS:
            raise
        # The last attempt: the job succeeds in recording that the export failed.
        _log.warning("finance_export_failed", export_id=export_id, error=type(exc).__name__)
        await exports_service.fail(ctx.session, uuid.UUID(export_id), ctx.now)


@recurring("analytics.delete_expired_exports", cron="17 * * * *")
async def delete_expired_exports(ctx: JobContext) -> None:
    await exports_service.delete_expired(ctx.session, _storage(ctx), ctx.now)
