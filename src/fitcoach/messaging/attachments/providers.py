"""The outside of attachments, each behind an interface with a local default: where files are
kept (the local file system) and what scans them (ClamAV's daemon, through aioclamd; none
configured: files stay "unscanned")."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import anyio
from aioclamd import ClamdAsyncClient, ClamdError  # type: ignore[import-untyped]

from fitcoach.config import Settings


class FileStorage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes | None: ...

    async def delete(self, key: str) -> None: ...


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


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str | None = None


class ScannerUnavailable(Exception):
    """The scanner could not be reached or answered nonsense."""


class Scanner(Protocol):
    async def scan(self, data: bytes) -> ScanResult: ...


class ClamdScanner:
    """ClamAV's daemon over TCP (INSTREAM): the file never touches the daemon's disk."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self._client = ClamdAsyncClient(host, port, timeout=timeout)

    async def scan(self, data: bytes) -> ScanResult:
        try:
            answer = await self._client.instream(io.BytesIO(data))
        except (ClamdError, OSError) as exc:
            raise ScannerUnavailable(str(exc)) from exc
        if not answer:
            raise ScannerUnavailable("clamd gave no answer")
        status, signature = next(iter(answer.values()))
        if status == "OK":
            return ScanResult(clean=True)
        if status == "FOUND":
            return ScanResult(clean=False, signature=signature)
        raise ScannerUnavailable(f"clamd answered {status}: {signature}")


def create_file_storage(settings: Settings) -> FileStorage:
    return LocalFileStorage(settings.data_dir / "attachments")


def create_scanner(settings: Settings) -> Scanner | None:
    if settings.clamd_host is None:
        return None
    return ClamdScanner(settings.clamd_host, settings.clamd_port, settings.clamd_timeout_seconds)
