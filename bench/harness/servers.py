"""The servers under test, each a subprocess the way production runs it: uvicorn's supervisor
with 2 worker processes on loopback, access log off. fitcoach through `fitcoach serve`, the
ceilings through the uvicorn command line with the same options `fitcoach serve` passes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from harness.config import BENCH_DIR, VENV_BIN, WORKERS
from harness.proc import wait_idle, worker_pids

HOST = "127.0.0.1"
READY_TIMEOUT_S = 120
STOP_TIMEOUT_S = 15
# What `fitcoach serve` gives uvicorn besides host, port and workers (src/fitcoach/cli.py).
UVICORN_OPTIONS = ("--no-access-log", "--no-server-header", "--no-proxy-headers")


@dataclass(frozen=True)
class ServerSpec:
    name: str
    command: list[str]  # without --host/--port, which the server gets when it starts
    env: dict[str, str]
    ready_path: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def fitcoach_cli_serves() -> bool:
    """Whether `fitcoach serve --no-migrate` exists yet (the CLI is being written alongside)."""
    cli = VENV_BIN / "fitcoach"
    if not cli.exists():
        return False
    result = subprocess.run(  # noqa: S603 - our own venv's entry point
        [str(cli), "serve", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    return result.returncode == 0 and "--no-migrate" in result.stdout


def fitcoach_command(*, cli: bool) -> list[str]:
    if cli:
        return [str(VENV_BIN / "fitcoach"), "serve", "--workers", str(WORKERS), "--no-migrate"]
    return [
        *_uvicorn("fitcoach.app:create_app"),
        "--factory",
        "--log-level",
        "warning",
    ]


def ceiling_command(app: str) -> list[str]:
    return [
        *_uvicorn(f"ceilings:{app}"),
        "--app-dir",
        str(BENCH_DIR),
        "--log-level",
        "warning",
    ]


def _uvicorn(app: str) -> list[str]:
    return [sys.executable, "-m", "uvicorn", app, "--workers", str(WORKERS), *UVICORN_OPTIONS]


class Server:
    def __init__(self, spec: ServerSpec, work_dir: Path) -> None:
        self.spec = spec
        self.port = free_port()
        self.log_path = work_dir / f"server-{spec.name}.log"
        self.work_dir = work_dir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def name(self) -> str:
        return self.spec.name

    def start(self) -> None:
        command = [*self.spec.command, "--host", HOST, "--port", str(self.port)]
        with self.log_path.open("wb") as log:
            # A session of its own, so a server that ignores SIGTERM can be killed with its
            # workers, and Ctrl-C in the terminal reaches the harness (which then stops it).
            self.process = subprocess.Popen(  # noqa: S603 - commands built above, no shell
                command,
                env=self.spec.env,
                cwd=self.work_dir,  # no .env there: the settings are exactly spec.env
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()

    def workers(self) -> list[int]:
        assert self.process is not None
        return worker_pids(self.process.pid) or [self.process.pid]

    def _wait_ready(self) -> None:
        """Ready when every worker process exists, the ready path answers 200 repeatedly, and
        the workers have gone idle: one worker may answer while the other is still importing
        the app, and a worker still starting when the load begins starves, misses uvicorn's
        5 s health ping and is killed and replaced mid-run."""
        assert self.process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        answered = 0
        with httpx.Client(base_url=self.url, timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited at start-up:\n{self.log_tail()}")
                if len(worker_pids(self.process.pid)) >= WORKERS and _answers(client, self):
                    answered += 1
                    if answered >= 2 * WORKERS and wait_idle(self.workers(), timeout_s=20):
                        return
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready in {READY_TIMEOUT_S} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # our own session: server and workers
            self.process.wait(STOP_TIMEOUT_S)

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _answers(client: httpx.Client, server: Server) -> bool:
    try:
        return client.get(server.spec.ready_path).status_code == 200
    except httpx.HTTPError:
        return False
