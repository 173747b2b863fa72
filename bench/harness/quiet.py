"""Whether the machine is quiet enough to measure on. Every ratio in the report is a share of a
ceiling measured in the same run, and noise slows the ceiling as much as the server: a busy
machine makes fitcoach look closer to its ceiling than it is. So a run refuses to start on a
busy machine, and each round notes how busy it was."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

# Other processes may use this share of one core between them and the machine still count as
# quiet: shells, the database's background writer, a browser tab.
BUSY_CPU_SHARE = 0.25
SAMPLE_S = 2.0
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Quietness:
    load_1m: float
    others_cpu_share: float  # of one core, summed over processes outside this run
    busiest: tuple[str, ...]  # the top consumers, "name (pid): share"

    @property
    def busy(self) -> bool:
        return self.others_cpu_share > BUSY_CPU_SHARE

    def describe(self) -> str:
        top = ", ".join(self.busiest) or "none"
        return (
            f"load {self.load_1m:.2f}, other processes {self.others_cpu_share:.0%} of a core "
            f"(top: {top})"
        )


def measure_quietness(ours: set[int], sample_s: float = SAMPLE_S) -> Quietness:
    """CPU used by processes not in `ours` (nor their children) over `sample_s` seconds."""
    before = _cpu_ticks()
    time.sleep(sample_s)
    after = _cpu_ticks()
    excluded = _with_descendants(ours | {os.getpid()})
    shares: dict[int, tuple[str, float]] = {}
    for pid, (name, ticks) in after.items():
        if pid in excluded or pid not in before:
            continue
        used = (ticks - before[pid][1]) / _TICKS / sample_s
        if used > 0:
            shares[pid] = (name, used)
    busiest = sorted(shares.items(), key=lambda item: item[1][1], reverse=True)[:3]
    return Quietness(
        load_1m=os.getloadavg()[0],
        others_cpu_share=sum(share for _, share in shares.values()),
        busiest=tuple(f"{name} ({pid}): {share:.0%}" for pid, (name, share) in busiest),
    )


def _cpu_ticks() -> dict[int, tuple[str, int]]:
    ticks: dict[int, tuple[str, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                raw = stat.read()
        except OSError:
            continue  # the process ended meanwhile
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        # utime and stime are fields 14 and 15 of stat; `fields` starts at field 3.
        ticks[int(entry)] = (name, int(fields[11]) + int(fields[12]))
    return ticks


def _with_descendants(roots: set[int]) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                raw = stat.read()
        except OSError:
            continue
        parents[int(entry)] = int(raw[raw.rindex(")") + 2 :].split()[1])
    found = set(roots)
    grew = True
    while grew:
        children = {pid for pid, parent in parents.items() if parent in found} - found
        found |= children
        grew = bool(children)
    return found
