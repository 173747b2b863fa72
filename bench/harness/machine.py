"""The machine the run is on, and the hash-bound limit of password sign-in measured on it."""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import redis

from fitcoach.auth.password_hashing import hash_password, verify_password
from harness.seed import PASSWORD

PACKAGES = ("fitcoach", "fastapi", "starlette", "pydantic", "uvicorn", "uvloop", "httptools",
            "sqlalchemy", "asyncpg", "argon2-cffi")  # fmt: skip


def cores() -> int:
    return len(os.sched_getaffinity(0))


def machine_info(postgres_version: str, redis_url: str, wrk: str) -> dict[str, object]:
    return {
        "cpu": _cpu_model(),
        "cores": cores(),
        "memory_gib": round(_mem_total_kib() / 1024 / 1024, 1),
        "os": _os_name(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "postgresql": postgres_version,
        "redis": _redis_version(redis_url),
        "wrk": wrk,
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _mem_total_kib() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1])
    return 0


def _os_name() -> str:
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    return platform.system()


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _redis_version(url: str) -> str:
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        return str(client.info("server").get("redis_version", "unknown"))
    finally:
        client.close()


@dataclass(frozen=True)
class HashRound:
    samples_s: list[float]  # sequential verifications, one process
    parallel_per_s: float  # `cores` processes verifying at once


@dataclass
class HashBound:
    """The most password sign-ins the machine can verify: every core doing nothing but argon2,
    cores / time per hash. Measured, not assumed: fitcoach's parameters, this CPU. Measured
    once before the servers start and again before each round of runs, on an idle machine,
    because a shared machine's speed drifts within a run; the median round counts.

    `parallel_per_s` is what `cores` processes hashing at once really reached. Where it falls
    short of the limit, the cores do not add up (argon2 is memory-hard, and a VM's cores may be
    shared): a sign-in rate short of the limit is then partly the machine's."""

    cores: int
    rounds: list[HashRound] = field(default_factory=list)

    @property
    def seconds_per_hash(self) -> float:
        return statistics.median(statistics.fmean(r.samples_s) for r in self.rounds)

    @property
    def parallel_per_s(self) -> float:
        return statistics.median(r.parallel_per_s for r in self.rounds)

    @property
    def limit_per_s(self) -> float:
        return self.cores / self.seconds_per_hash

    def measure(self, verifies: int = 20) -> None:
        """Time `verifies` sequential argon2 verifications in this process, through the same
        verify_password the sign-in uses; then `cores` processes verifying at once."""
        samples = _timed_verifies(verifies)
        self.rounds.append(HashRound(samples, _parallel_rate(self.cores, verifies)))

    def as_json(self) -> dict[str, object]:
        return {
            "verifies_per_round": len(self.rounds[0].samples_s),
            "seconds_per_hash": round(self.seconds_per_hash, 5),
            "cores": self.cores,
            "limit_per_s": round(self.limit_per_s, 1),
            "parallel_per_s": round(self.parallel_per_s, 1),
            "rounds": [
                {
                    "seconds_per_hash": round(statistics.fmean(r.samples_s), 5),
                    "parallel_per_s": round(r.parallel_per_s, 1),
                }
                for r in self.rounds
            ],
        }


def _timed_verifies(count: int) -> list[float]:
    return asyncio.run(_time_verifies(count))


def _parallel_rate(processes: int, verifies: int) -> float:
    """Verifications per second of `processes` processes hashing side by side, each timing
    its own verifications (their set-up is left out, as in the sequential measurement)."""
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(_timed_verifies, [1] * processes))  # start every process first
        per_process = list(pool.map(_timed_verifies, [verifies] * processes))
    return sum(len(samples) / sum(samples) for samples in per_process)


async def _time_verifies(count: int) -> list[float]:
    stored = await hash_password(PASSWORD)
    await verify_password(stored, PASSWORD)  # warm-up: thread pool and argon2 memory
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        if not await verify_password(stored, PASSWORD):
            raise RuntimeError("argon2 verification failed")
        samples.append(time.perf_counter() - started)
    return samples
