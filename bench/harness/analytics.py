"""The analytics phase of bench/run.py: bench/analytics.py in a process of its own (its own
database, 100,000 customers and a million training days), after every server has stopped, its
figures joined to the run's document and judged against the issue's budgets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness.config import REPO_DIR, Targets

KEY = "analytics"
RULES = {
    # --quick seeds a tenth: 10,000 customers, which says little about this budget.
    "analytics_cohorts": "GET /analytics/cohorts, 100k customers: p50 < {budget:,.0f} ms",
    "analytics_progress": "GET /analytics/progress, a year: p50 < {budget:,.0f} ms",
}
# Seeding a million rows and ten cohort tables take about two minutes; a hung run must not
# hold the whole bench.
TIMEOUT_S = 900


def measure(targets: Targets, work_dir: Path, *, quick: bool) -> dict[str, object]:
    """The figures bench/analytics.py wrote, or {"status": why there are none}."""
    out = work_dir / "analytics.json"
    command = [
        sys.executable,
        str(REPO_DIR / "bench" / "analytics.py"),
        # The run already checked that the machine is quiet; this phase comes after it.
        "--allow-busy",
        "--postgres",
        targets.postgres_url,
        "--json",
        str(out),
        *(["--quick"] if quick else []),
    ]
    try:
        finished = subprocess.run(  # noqa: S603 - our own script, with our own arguments
            command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return {"status": f"failed: no answer within {TIMEOUT_S} s"}
    if not out.exists():
        return {"status": f"failed (exit {finished.returncode}): {finished.stderr[-500:]}"}
    figures: dict[str, object] = json.loads(out.read_text())
    return {"status": "measured", **figures}


def budget_verdicts(doc: dict[str, object] | None) -> list[dict[str, object]]:
    """One verdict per analytics path (None: the phase did not run)."""
    if doc is None:
        return []
    verdicts: list[dict[str, object]] = []
    for key, rule in RULES.items():
        figures = doc.get(key)
        if not isinstance(figures, dict):
            verdicts.append({"rule": rule.format(budget=0), "passed": None, "value": doc["status"]})
            continue
        p50, budget = float(figures["p50_ms"]), float(figures["budget_ms"])
        verdicts.append(
            {"rule": rule.format(budget=budget), "passed": p50 < budget, "value": f"{p50:,.1f} ms"}
        )
    return verdicts
