"""What scans attachments, behind an interface: ClamAV's daemon, through aioclamd (none
configured: files stay "unscanned"). Where they are kept is `fitcoach.storage`."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Protocol

from aioclamd import ClamdAsyncClient, ClamdError  # type: ignore[import-untyped]

from fitcoach.config import Settings


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


def create_scanner(settings: Settings) -> Scanner | None:
    if settings.clamd_host is None:
        return None
    return ClamdScanner(settings.clamd_host, settings.clamd_port, settings.clamd_timeout_seconds)
