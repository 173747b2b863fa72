"""What /proc says about the uvicorn workers: which they are, their resident memory, and the
CPU time they use (to tell when a server has finished the work a run left it, and what a
request costs it)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")
SAMPLE_EVERY_S = 0.25
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
# A server using less than 15% of a core is done with its backlog. Not less: an idle fitcoach
# worker's embedded background loops poll the database a few times a second (2-5% of a core
# each, more on a loaded machine), so a lower bar would never call it idle.
IDLE_CORES = 0.15
IDLE_TIMEOUT_S = 90


def rss_mib(pid: int) -> float | None:
    """VmRSS of the process in MiB; None once it is gone."""
    try:
        status = (PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name is parenthesised and may hold spaces: the fields start after it.
    return stat.rsplit(")", 1)[1].split()


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time the processes have used so far."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime (stat fields 14, 15)
    return total / TICKS_PER_S


def worker_pids(parent: int) -> list[int]:
    """The server's workers: the supervisor's children. uvicorn starts them with
    multiprocessing's spawn (its resource tracker, also a child, is not a worker); granian forks
    them, so they carry the supervisor's own command line."""
    spawned, forked = [], []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is None or int(fields[1]) != parent:
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            spawned.append(int(entry.name))
        elif b"resource_tracker" not in cmdline:
            forked.append(int(entry.name))
    return sorted(spawned or forked)


def wait_idle(pids: list[int], timeout_s: float = IDLE_TIMEOUT_S) -> bool:
    """Wait until the workers are idle. wrk stops sending at the end of a run, but the server
    still answers what it had accepted (64 sign-ins queued behind argon2 take seconds); the
    next run must not compete with that backlog. False if still busy after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while time.monotonic() < deadline:
        before = cpu_seconds(pids)
        time.sleep(0.5)
        quiet = quiet + 1 if cpu_seconds(pids) - before < IDLE_CORES * 0.5 else 0
        if quiet >= 2:
            return True
    return False


class WorkerSampler:
    """While the block runs: each worker's highest RSS (sampled in a background thread) and
    the CPU time the workers used."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peaks: dict[int, float] = {}
        self.cpu_s = 0.0
        self._cpu_at_start = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WorkerSampler:
        self._cpu_at_start = cpu_seconds(self.pids)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu_s = cpu_seconds(self.pids) - self._cpu_at_start

    def _run(self) -> None:
        while True:
            for pid in self.pids:
                value = rss_mib(pid)
                if value is not None:
                    self.peaks[pid] = max(self.peaks.get(pid, 0.0), value)
            if self._stop.wait(SAMPLE_EVERY_S):
                return
