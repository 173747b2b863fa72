"""Where the product keeps files (attachments, exports), behind one interface with a local
default: a folder under the data directory, or an S3-compatible bucket
(FITCOACH_STORAGE_BACKEND=s3). Each user of it names its own area ("attachments", "exports"),
a folder or a key prefix, so one store holds every domain's files apart."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import anyio

from fitcoach.config import Settings, StorageBackend
from fitcoach.storage.errors import StorageUnavailable


class FileStorage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes | None: ...

    async def delete(self, key: str) -> None: ...

    async def aclose(self) -> None: ...


class LocalFileStorage:
    """Files under one folder, a key being a relative path ("quarantine/<id>")."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> anyio.Path:
        return anyio.Path(self.root / key)

    async def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        await path.parent.mkdir(parents=True, exist_ok=True)
        await path.write_bytes(data)

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        return await path.read_bytes() if await path.exists() else None

    async def delete(self, key: str) -> None:
        await self._path(key).unlink(missing_ok=True)

    async def aclose(self) -> None:
        """Nothing held open."""


def create_file_storage(settings: Settings, area: str) -> FileStorage:
    if settings.storage_backend is StorageBackend.s3:
        # Imported only when chosen: aiobotocore takes a second to import.
        from fitcoach.storage.s3 import S3FileStorage, S3Location

        return S3FileStorage(S3Location.of(settings, area))
    return LocalFileStorage(settings.data_dir / area)


__all__ = [
    "FileStorage",
    "LocalFileStorage",
    "StorageUnavailable",
    "create_file_storage",
]
