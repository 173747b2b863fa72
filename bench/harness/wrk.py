"""wrk, the load generator: a C event loop with LuaJIT scripts, light enough to share the two
cores with the server it measures. Every script ends with common.lua's done(), which prints one
JSON line with the counts and latency percentiles this module reads."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from harness.config import WRK_DIR, LoadShape

RESULT_MARK = "@@bench "


class WrkMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class WrkRun:
    requests: int
    duration_s: float
    errors: dict[str, int]
    latency_ms: dict[str, float]  # p50, p90, p99, p99.9, max, mean
    extra: dict[str, Any] = field(default_factory=dict)  # counters a script reports
    # The server workers' CPU time per request (PostgreSQL's own processes not included).
    server_cpu_ms: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "duration_s": round(self.duration_s, 3),
            "rps": round(self.rps, 1),
            "errors": self.errors,
            "latency_ms": self.latency_ms,
            "extra": self.extra,
            "server_cpu_ms_per_request": self.server_cpu_ms,
        }


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian's packages when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise WrkMissing("wrk is not installed: run `sudo apt-get install -y wrk` and retry")
    print("wrk is missing; installing it: apt-get install -y wrk", file=sys.stderr, flush=True)
    result = subprocess.run(  # noqa: S603 - apt-get with fixed arguments, as root
        [apt, "install", "-y", "-q", "wrk"],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"},
    )
    found = shutil.which("wrk")
    if result.returncode != 0 or found is None:
        raise WrkMissing(
            "apt-get install -y wrk failed (try `apt-get update` first):\n" + result.stderr[-2000:]
        )
    return found


def wrk_version(binary: str) -> str:
    result = subprocess.run(  # noqa: S603 - the wrk binary found above
        [binary, "-v"], capture_output=True, text=True, check=False
    )
    first_line = (result.stdout or result.stderr).splitlines()[0]
    return first_line.split(" Copyright")[0].strip()  # "wrk debian/4.1.0-3+b2 [epoll]"


def run_wrk(
    binary: str,
    url: str,
    script: str,
    script_args: list[str],
    shape: LoadShape,
    *,
    duration_s: int,
    connections: int,
) -> WrkRun:
    command = [
        binary,
        "--threads", str(shape.threads),
        "--connections", str(connections),
        "--duration", f"{duration_s}s",
        "--timeout", f"{shape.timeout_s}s",
        "--script", script,
        url,
        "--",
        str(shape.threads),  # every script's first argument: for slicing data between threads
        *script_args,
    ]  # fmt: skip
    # cwd: the scripts `require "common"` from their own folder.
    result = subprocess.run(  # noqa: S603 - wrk with arguments built above, no shell
        command, cwd=WRK_DIR, capture_output=True, text=True, check=False
    )
    return _parse(result, command)


def _parse(result: subprocess.CompletedProcess[str], command: list[str]) -> WrkRun:
    for line in result.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            data = json.loads(line.removeprefix(RESULT_MARK))
            return WrkRun(
                requests=int(data["requests"]),
                duration_s=data["duration_us"] / 1e6,
                errors={key: int(value) for key, value in data["errors"].items()},
                latency_ms={key: value / 1000 for key, value in data["latency_us"].items()},
                extra=data.get("extra", {}),
            )
    raise RuntimeError(
        f"wrk gave no result (exit {result.returncode}): {' '.join(command)}\n"
        f"{result.stdout[-1500:]}\n{result.stderr[-1500:]}"
    )
