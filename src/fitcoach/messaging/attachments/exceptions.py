from typing import ClassVar

from fitcoach.core.errors import DomainError, Forbidden, NotFound, ServiceUnavailable, Unprocessable


class AttachmentTooLarge(DomainError):
    status_code: ClassVar[int] = 413
    message = "The file is larger than uploads may be"


class UnsupportedFileType(DomainError):
    status_code: ClassVar[int] = 415
    message = "Only images, PDF documents, audio and video may be attached"


class InfectedFile(Unprocessable):
    message = "The file was rejected: the virus scanner found malware in it"


class ScanFailed(ServiceUnavailable):
    message = "The virus scanner is unavailable; please upload the file again shortly"


class AttachmentNotFound(NotFound):
    message = "Attachment not found"


class LinkInvalid(Forbidden):
    message = "This download link is invalid or has expired; ask for a new one"
