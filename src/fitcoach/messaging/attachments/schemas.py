from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import UploadFile
from pydantic import BaseModel, ConfigDict, Field

from fitcoach.http.envelope import ApiModel
from fitcoach.messaging.attachments.service import AttachmentStatus, Link
from fitcoach.models import Attachment


class AttachmentUploadIn(BaseModel):
    """A multipart form with one file; its type is read from its bytes, not its name."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"file": "(the file's bytes)"}]})

    file: UploadFile = Field(description="An image, a PDF, an audio or a video file")


class AttachmentOut(ApiModel):
    id: uuid.UUID
    file_name: str
    content_type: str = Field(description="Detected from the file's content, not its name")
    size: int = Field(description="Bytes")
    status: AttachmentStatus = Field(
        description='"clean": scanned and clean; "unscanned": no virus scanner is configured'
    )
    has_thumbnail: bool
    created_at: datetime

    @classmethod
    def of(cls, attachment: Attachment) -> AttachmentOut:
        return cls(
            id=attachment.id,
            file_name=attachment.file_name,
            content_type=attachment.content_type,
            size=attachment.size,
            status=AttachmentStatus(attachment.status),
            has_thumbnail=attachment.has_thumbnail,
            created_at=attachment.created_at,
        )


class AttachmentLinkOut(ApiModel):
    attachment: AttachmentOut
    url: str = Field(description="Signed download path; works until expiresAt")
    thumbnail_url: str | None
    expires_at: datetime

    @classmethod
    def of(cls, attachment: Attachment, link: Link) -> AttachmentLinkOut:
        return cls(
            attachment=AttachmentOut.of(attachment),
            url=link.url,
            thumbnail_url=link.thumbnail_url,
            expires_at=link.expires_at,
        )
