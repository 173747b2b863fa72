"""Attachments: an upload is checked (size, type sniffed from its bytes), kept in quarantine
while it is scanned, and released only once clean (or marked "unscanned" where no scanner is
configured); an infected file is deleted and the attempt audited. Files are read through
short-lived signed links, by their owner and the participants of the thread they were sent to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import filetype  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service
from fitcoach.core.crypto import derive_key, keyed_hash, same_digest
from fitcoach.messaging.attachments.exceptions import (
    AttachmentNotFound,
    AttachmentTooLarge,
    InfectedFile,
    LinkInvalid,
    ScanFailed,
    UnsupportedFileType,
)
from fitcoach.messaging.attachments.images import without_metadata
from fitcoach.messaging.attachments.providers import Scanner, ScannerUnavailable
from fitcoach.messaging.attachments.repository import Holder as Holder
from fitcoach.messaging.attachments.repository import attachments_repository
from fitcoach.models import Actor, Attachment
from fitcoach.models.enums import SUPPORT_ROLES, Role
from fitcoach.storage import FileStorage

_ALLOWED_PREFIXES = ("image/", "audio/", "video/")
_ALLOWED_TYPES = frozenset({"application/pdf"})


class AttachmentStatus(StrEnum):
    clean = "clean"
    # No scanner is configured: served, and said to be unscanned.
    unscanned = "unscanned"


class Variant(StrEnum):
    original = "original"
    thumbnail = "thumbnail"


SERVABLE = (AttachmentStatus.clean.value, AttachmentStatus.unscanned.value)


@dataclass(frozen=True)
class Upload:
    file_name: str
    data: bytes


@dataclass(frozen=True)
class Files:
    """What stores and scans files, and the secret links are signed with."""

    storage: FileStorage
    scanner: Scanner | None
    signing_secret: str


@dataclass(frozen=True)
class Link:
    url: str
    thumbnail_url: str | None
    expires_at: datetime


def sniffed_type(data: bytes) -> str | None:
    """The file's type by its content (magic numbers), whatever its name says."""
    kind = filetype.guess(data)
    if kind is None:
        return None
    mime: str = kind.mime
    return mime if mime.startswith(_ALLOWED_PREFIXES) or mime in _ALLOWED_TYPES else None


def _key(attachment_id: uuid.UUID, variant: Variant) -> str:
    return f"{'thumbnails' if variant is Variant.thumbnail else 'files'}/{attachment_id}"


def _signature(secret: str, attachment_id: uuid.UUID, variant: Variant, expires: int) -> str:
    key = derive_key(secret, "attachment-link")
    return keyed_hash(key, str(attachment_id), variant.value, str(expires))


class AttachmentsService:
    async def upload(
        self,
        session: AsyncSession,
        owner: Actor,
        upload: Upload,
        files: Files,
        limits: tuple[int, datetime],
    ) -> Attachment:
        max_bytes, now = limits
        if len(upload.data) > max_bytes:
            raise AttachmentTooLarge(f"The file is larger than {max_bytes} bytes")
        content_type = sniffed_type(upload.data)
        if content_type is None:
            raise UnsupportedFileType()
        attachment_id = uuid.uuid4()
        quarantine = f"quarantine/{attachment_id}"
        await files.storage.put(quarantine, upload.data)
        try:
            status = await self._scan(session, files.scanner, upload, attachment_id, now)
            data, thumbnail = upload.data, None
            if content_type.startswith("image/"):
                cleaned = without_metadata(upload.data, content_type)
                if cleaned is not None:
                    data, thumbnail = cleaned.data, cleaned.thumbnail
            await files.storage.put(_key(attachment_id, Variant.original), data)
            if thumbnail is not None:
                await files.storage.put(_key(attachment_id, Variant.thumbnail), thumbnail)
        finally:
            await files.storage.delete(quarantine)
        attachment = Attachment(
            id=attachment_id,
            owner_id=owner.id,
            content_type=content_type,
            size=len(data),
            file_name=upload.file_name[:255],
            status=status.value,
            has_thumbnail=thumbnail is not None,
        )
        attachments_repository.add(session, attachment)
        await session.flush()
        return attachment

    async def _scan(
        self,
        session: AsyncSession,
        scanner: Scanner | None,
        upload: Upload,
        attachment_id: uuid.UUID,
        now: datetime,
    ) -> AttachmentStatus:
        if scanner is None:
            return AttachmentStatus.unscanned
        try:
            result = await scanner.scan(upload.data)
        except ScannerUnavailable as exc:
            raise ScanFailed() from exc
        if result.clean:
            return AttachmentStatus.clean
        error = InfectedFile()
        audit_service.record_failure(
            session,
            error,
            AuditEvent(
                action="attachment.rejected",
                resource_type="attachment",
                resource_id=attachment_id,
                details={"signature": result.signature, "fileName": upload.file_name[:255]},
            ),
            now,
        )
        raise error

    async def link(
        self,
        session: AsyncSession,
        actor: Actor,
        attachment_id: uuid.UUID,
        files: Files,
        expiry: tuple[datetime, timedelta],
    ) -> tuple[Attachment, Link]:
        """The attachment and links to it that work until the expiry's end."""
        attachment = await attachments_repository.visible(
            session,
            actor.id,
            attachment_id,
            is_admin=Role.ADMIN in actor.roles,
            support_staff=any(actor.has_role(role) for role in SUPPORT_ROLES),
        )
        if attachment is None:
            raise AttachmentNotFound()
        now, lasting = expiry
        expires_at = now + lasting
        expires = int(expires_at.timestamp())

        def url(variant: Variant) -> str:
            signature = _signature(files.signing_secret, attachment.id, variant, expires)
            return (
                f"/api/v1/attachments/{attachment.id}/content?variant={variant.value}"
                f"&expires={expires}&signature={signature}"
            )

        thumbnail = url(Variant.thumbnail) if attachment.has_thumbnail else None
        return attachment, Link(
            url=url(Variant.original), thumbnail_url=thumbnail, expires_at=expires_at
        )

    async def open(
        self,
        session: AsyncSession,
        attachment_id: uuid.UUID,
        signed: tuple[Variant, int, str],
        files: Files,
        now: datetime,
    ) -> tuple[bytes, str]:
        """The file a signed link names, and its content type."""
        variant, expires, signature = signed
        expected = _signature(files.signing_secret, attachment_id, variant, expires)
        if not same_digest(expected, signature) or expires < now.timestamp():
            raise LinkInvalid()
        attachment = await attachments_repository.get(session, attachment_id)
        data = await files.storage.get(_key(attachment_id, variant))
        if attachment is None or data is None:
            raise AttachmentNotFound()
        return data, "image/jpeg" if variant is Variant.thumbnail else attachment.content_type

    async def attach(
        self,
        session: AsyncSession,
        owner: Actor,
        ids: list[uuid.UUID],
        holder: tuple[Holder, uuid.UUID],
    ) -> bool:
        """Attach the owner's uploads to a thread, a community post or a support ticket; False
        unless every one could be."""
        claimed = await attachments_repository.claim(session, owner.id, ids, holder, SERVABLE)
        return claimed == len(ids)


attachments_service = AttachmentsService()
