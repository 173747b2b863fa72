"""`fitcoach serve` really starts: migrations, then uvicorn on a free port, and the seed's curl
walkthrough (auth-flow-update.md, "Testing with Postman/cURL") works verbatim against it."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.console import FITCOACH, RUNS_ON_ITS_OWN_SQLITE, cli_environment

pytestmark = RUNS_ON_ITS_OWN_SQLITE

# A start-up is the package's import and every migration on a fresh SQLite file: about 5 s alone,
# but over 20 s on a loaded 2-core machine (seen). A server that never answers still fails.
STARTUP_TIMEOUT_SECONDS = 60
SEED_PHONE = "+201234567890"
SEED_OTP = "123456"
# Step 2 of the seed's walkthrough, byte for byte.
SEED_REGISTER_BODY = """{
    "phone": "+201234567890",
    "otp": "123456",
    "name": "Test User",
    "height": 180,
    "weight": 75,
    "age": 25,
    "gender": "male"
  }"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _became_healthy(http: httpx.AsyncClient, process: asyncio.subprocess.Process) -> bool:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline and process.returncode is None:
        try:
            if (await http.get("/api/v1/health")).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    return False


def _json_lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


@dataclass
class Served:
    http: httpx.AsyncClient
    log: Path
    exit_code: int | None = None


@asynccontextmanager
async def serving(
    tmp_path: Path, *arguments: str, log_name: str = "serve.log", **settings: str
) -> AsyncIterator[Served]:
    """`fitcoach serve` on a free port until the block ends, then a graceful stop."""
    port = _free_port()
    environment = cli_environment(tmp_path, FITCOACH_LOG_JSON="true", **settings)
    log = tmp_path / log_name
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            str(FITCOACH),
            "serve",
            "--port",
            str(port),
            *arguments,
            env=environment,
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    served = Served(
        http=httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False), log=log
    )
    try:
        async with served.http:
            assert await _became_healthy(served.http, process), log.read_text()
            yield served
    finally:
        if process.returncode is None:
            process.terminate()
        served.exit_code = await asyncio.wait_for(process.wait(), STARTUP_TIMEOUT_SECONDS)


async def test_serve_answers_the_seed_walkthrough(tmp_path: Path) -> None:
    async with serving(tmp_path, FITCOACH_TEST_OTPS=f"{SEED_PHONE}={SEED_OTP}") as served:
        http, log = served.http, served.log
        sent = await http.post(
            "/api/v1/auth/otp/send",
            content=b'{"phone": "+201234567890"}',
            headers={"Content-Type": "application/json"},
        )
        assert sent.status_code == 200, sent.text
        assert sent.json() == {"status": "success", "message": "OTP sent successfully"}

        registered = await http.post(
            "/api/v1/auth/otp/register",
            content=SEED_REGISTER_BODY.encode(),
            headers={"Content-Type": "application/json"},
        )
        assert registered.status_code == 201, registered.text
        token = registered.json()["data"]["accessToken"]["token"]

        me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        data = me.json()["data"]
        assert data["user"]["phone"] == SEED_PHONE
        assert data["user"]["name"] == "Test User"
        assert data["isSubscribed"] is True
        assert data["subscriptionType"] == "free"
        assert data["profileUpdateRequired"] is False

    # uvicorn shuts down gracefully, then re-raises the signal so supervisors see why it ended.
    assert served.exit_code in (0, -signal.SIGTERM), log.read_text()
    lines = _json_lines(log)
    assert any(line["event"] == "Application shutdown complete." for line in lines)
    assert (tmp_path / "fitcoach.db").exists()
    assert any(line["event"].startswith("Running upgrade") for line in lines), log.read_text()
    routes = [line["route"] for line in lines if line.get("logger") == "fitcoach.access"]
    assert routes[-3:] == ["/api/v1/auth/otp/send", "/api/v1/auth/otp/register", "/api/v1/auth/me"]
    assert SEED_OTP not in log.read_text()


async def test_metrics_are_summed_across_workers(tmp_path: Path) -> None:
    async with serving(tmp_path, "--workers", "2") as served:
        for _ in range(40):
            assert (await served.http.get("/api/v1/health/live")).status_code == 200
        metrics = (await served.http.get("/metrics")).text
    # Requests spread over both workers; any worker's /metrics reports the sum.
    line = next(
        line
        for line in metrics.splitlines()
        if line.startswith("fitcoach_http_requests_total{")
        and 'route="/api/v1/health/live"' in line
    )
    assert float(line.rsplit(" ", 1)[1]) == 40.0
    assert (tmp_path / "data" / "prometheus").is_dir()


async def test_serve_runs_under_granian(tmp_path: Path) -> None:
    """`--server granian` serves the same app: migrations, sign-in, the access log, a clean stop."""
    async with serving(
        tmp_path, "--server", "granian", FITCOACH_TEST_OTPS=f"{SEED_PHONE}={SEED_OTP}"
    ) as served:
        http = served.http
        sent = await http.post("/api/v1/auth/otp/send", json={"phone": SEED_PHONE})
        assert sent.status_code == 200, sent.text
        registered = await http.post(
            "/api/v1/auth/otp/register",
            content=SEED_REGISTER_BODY.encode(),
            headers={"Content-Type": "application/json"},
        )
        assert registered.status_code == 201, registered.text
        token = registered.json()["data"]["accessToken"]["token"]
        me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        assert me.json()["data"]["user"]["phone"] == SEED_PHONE

    assert served.exit_code == 0, served.log.read_text()
    lines = _json_lines(served.log)
    routes = [line["route"] for line in lines if line.get("logger") == "fitcoach.access"]
    assert routes[-3:] == ["/api/v1/auth/otp/send", "/api/v1/auth/otp/register", "/api/v1/auth/me"]
    assert SEED_OTP not in served.log.read_text()


async def test_a_second_server_on_the_same_sqlite_file_is_warned(tmp_path: Path) -> None:
    async with (
        serving(tmp_path) as first,
        serving(tmp_path, "--no-migrate", log_name="second.log") as second,
    ):
        assert (await second.http.get("/api/v1/health/live")).status_code == 200
        warning = "another `fitcoach serve` (pid "
        assert warning in second.log.read_text()
        assert "already serving the SQLite file" in second.log.read_text()
        assert warning not in first.log.read_text()
