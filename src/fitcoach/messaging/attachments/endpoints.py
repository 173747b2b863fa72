"""Attachments: upload (scanned before anyone can open it), a signed link for those who may see
it, and the download that link names."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, File, Query
from fastapi.responses import Response

from fitcoach.access.dependencies import CurrentUser, user_rate_limit
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, error_responses, ok
from fitcoach.http.paths import AttachmentIdPath
from fitcoach.messaging.attachments.dependencies import FilesDep
from fitcoach.messaging.attachments.schemas import (
    AttachmentLinkOut,
    AttachmentOut,
    AttachmentUploadIn,
)
from fitcoach.messaging.attachments.service import Upload, Variant, attachments_service

router = APIRouter(tags=["messaging"])

UPLOAD_LIMIT = "30/minute"


@router.post(
    "/attachments",
    response_model=DataEnvelope[AttachmentOut],
    status_code=201,
    responses=error_responses(400, 401, 413, 415, 422, 429, 503),
    summary="Upload a file (image, PDF, audio or video) to attach to a message; scanned first",
    dependencies=[user_rate_limit("attachments.upload", UPLOAD_LIMIT)],
)
async def upload_attachment(
    form: Annotated[AttachmentUploadIn, File()],
    owner: CurrentUser,
    session: DbSession,
    clock: ClockDep,
    settings: SettingsDep,
    files: FilesDep,
) -> DataEnvelope[AttachmentOut]:
    limit = settings.attachment_max_bytes
    upload = Upload(file_name=form.file.filename or "file", data=await form.file.read(limit + 1))
    attachment = await attachments_service.upload(
        session, owner, upload, files, (limit, clock.now())
    )
    return ok(AttachmentOut.of(attachment))


@router.get(
    "/attachments/{attachmentId}",
    response_model=DataEnvelope[AttachmentLinkOut],
    responses=error_responses(401, 404, 422),
    summary="An attachment with short-lived download links (its owner and the thread's people)",
)
async def get_attachment_link(
    attachment_id: AttachmentIdPath,
    actor: CurrentUser,
    session: ReadSession,
    clock: ClockDep,
    settings: SettingsDep,
    files: FilesDep,
) -> DataEnvelope[AttachmentLinkOut]:
    expiry = (clock.now(), timedelta(seconds=settings.attachment_link_seconds))
    attachment, link = await attachments_service.link(session, actor, attachment_id, files, expiry)
    return ok(AttachmentLinkOut.of(attachment, link))


@router.get(
    "/attachments/{attachmentId}/content",
    response_class=Response,
    responses={
        200: {"description": "The file", "content": {"application/octet-stream": {}}},
        **error_responses(403, 404, 422),
    },
    summary="Download an attachment through a signed link (anyone holding a live link)",
)
async def download_attachment(
    attachment_id: AttachmentIdPath,
    session: ReadSession,
    clock: ClockDep,
    files: FilesDep,
    expires: Annotated[int, Query(ge=0, le=2**40, description="From the signed link")],
    signature: Annotated[
        str, Query(pattern=r"^[0-9a-f]{1,128}$", description="From the signed link")
    ],
    variant: Annotated[Variant, Query(description="The file or its thumbnail")] = Variant.original,
) -> Response:
    data, content_type = await attachments_service.open(
        session, attachment_id, (variant, expires, signature), files, clock.now()
    )
    return Response(
        content=data,
        media_type=content_type,
        headers={
            "Cache-Control": "private, max-age=60",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "attachment" if variant is Variant.original else "inline",
        },
    )
