"""A real ClamAV daemon for the scanning tests, with a signature database of our own (the EICAR
test signature): CI has no internet for freshclam. Debian's `clamav-daemon` package provides
the binary; without it the tests that need it are skipped."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLAMD = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None)
START_SECONDS = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"nPING\n")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def clamd_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    if CLAMD is None:
        pytest.skip("clamd is not installed (apt-get install clamav-daemon)")
    root = tmp_path_factory.mktemp("clamd")
    (root / "db").mkdir()
    (root / "db" / "fitcoach-test.ndb").write_text(f"Fitcoach.Test.EICAR:0:*:{EICAR.hex()}\n")
    port = _free_port()
    (root / "clamd.conf").write_text(
        "Foreground yes\n"
        f"DatabaseDirectory {root / 'db'}\n"
        f"TCPSocket {port}\nTCPAddr 127.0.0.1\n"
        f"LogFile {root / 'clamd.log'}\n"
    )
    process = subprocess.Popen(  # noqa: S603 - our own binary and config
        [CLAMD, "-c", str(root / "clamd.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _answers_ping(port):
            assert process.poll() is None, (root / "clamd.log").read_text()
            assert time.monotonic() < deadline, "clamd did not start"
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
