"""The fitcoach benchmark, in one command (bench/README.md explains what it does and why):

    .venv/bin/python bench/run.py [--quick] [--only SCENARIO] [--baseline bench/baseline.json]
        [--save-baseline] [--allow-busy] [--rabbitmq URL]

Exit status: 0 when every budget passes and nothing got slower than the baseline, 1 when a
budget fails or a scenario got slower, 2 when the run itself could not be done.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import asyncpg
from harness.analytics import KEY as ANALYTICS_KEY
from harness.config import (
    BENCH_DIR,
    GROWTH_SIZES_FULL,
    GROWTH_SIZES_QUICK,
    RESULTS_DIR,
    Targets,
    load_shape,
)
from harness.events import KEY as EVENTS_KEY
from harness.report import budgets_failed, compare, render_markdown, render_text, to_document
from harness.runner import BenchRun, Options
from harness.scenarios import SCENARIOS
from harness.streams import KEY as STREAMS_KEY
from harness.wrk import WrkMissing

BASELINE = BENCH_DIR / "baseline.json"
README = BENCH_DIR / "README.md"
README_START = "<!-- bench:latest:start -->"
README_END = "<!-- bench:latest:end -->"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description="Benchmark fitcoach beside its framework's ceilings."
    )
    parser.add_argument("--quick", action="store_true", help="1 run x 3 s per scenario")
    parser.add_argument("--baseline", type=Path, help="compare with this saved result")
    parser.add_argument("--save-baseline", action="store_true", help=f"write {BASELINE.name}")
    parser.add_argument(
        "--threshold",
        type=float,
        default=0.10,
        help="slower by more than this share is a regression (default 0.10)",
    )
    parser.add_argument(
        "--update-readme",
        action="store_true",
        help="put the result in bench/README.md's performance section",
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432",
        help="PostgreSQL server, without a database",
    )
    parser.add_argument(
        "--database",
        default="fitcoach_bench",
        help="dropped and created again at the start, dropped at the end",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/15",
        help="Redis database for rate limits; flushed before and after",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="SCENARIO",
        help="measure only this scenario (beside the ceilings); repeatable, e.g. --only auth_me",
    )
    parser.add_argument(
        "--rabbitmq",
        default="amqp://guest:guest@127.0.0.1:5672/",
        help="RabbitMQ for the events scenario; it uses a queue of its own, deleted afterwards",
    )
    parser.add_argument(
        "--allow-busy",
        action="store_true",
        help="measure even when other processes keep the machine busy (the report says so)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database and bench/results/work/ for a look afterwards",
    )
    return parser  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    options = Options(
        shape=load_shape(quick=args.quick, connections=args.connections, threads=args.threads),
        targets=Targets(args.postgres, args.database, args.redis),
        growth_sizes=GROWTH_SIZES_QUICK if args.quick else GROWTH_SIZES_FULL,
        keep=args.keep,
        only=tuple(args.only),
        allow_busy=args.allow_busy,
        broker_url=args.rabbitmq,
        quick=args.quick,
    )
    keys = [scenario.key for scenario in SCENARIOS if not scenario.is_ceiling]
    keys += [EVENTS_KEY, ANALYTICS_KEY, STREAMS_KEY]
    unknown = set(args.only) - set(keys) - {scenario.key for scenario in SCENARIOS}
    if unknown:
        known = ", ".join(keys)
        print(f"bench: no scenario {', '.join(sorted(unknown))}; known: {known}", file=sys.stderr)
        return 2
    try:
        results = BenchRun(options).execute()
    except (WrkMissing, RuntimeError, OSError, subprocess.SubprocessError,
            asyncpg.PostgresError) as exc:  # fmt: skip
        print(f"bench: the run failed: {exc}", file=sys.stderr)
        return 2
    doc = to_document(results, " ".join([".venv/bin/python bench/run.py", *argv]))
    _write(doc)
    print(render_text(doc))
    slower = _compare(doc, args.baseline, args.threshold) if args.baseline else False
    if args.save_baseline:
        BASELINE.write_text(json.dumps(doc, indent=2) + "\n")
        print(f"Baseline saved: {BASELINE.relative_to(BENCH_DIR.parent)}")
    if args.update_readme:
        _update_readme(render_markdown(doc))
    return 1 if budgets_failed(doc) or slower else 0


def _write(doc: dict[str, object]) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "latest.json").write_text(json.dumps(doc, indent=2) + "\n")
    (RESULTS_DIR / "latest.md").write_text(render_markdown(doc))
    print(f"Results: {RESULTS_DIR.relative_to(BENCH_DIR.parent)}/latest.json and latest.md\n")


def _compare(doc: dict[str, object], baseline_path: Path, threshold: float) -> bool:
    baseline = json.loads(baseline_path.read_text())
    lines, slower = compare(doc, baseline, threshold)
    print(f"Against the baseline {baseline_path} of {baseline.get('started_at')} "
          f"(slower = more than {threshold:.0%}):")  # fmt: skip
    print("\n".join(lines) if lines else "nothing to compare")
    print("Slower: " + ("yes, see SLOWER above" if slower else "none"))
    return slower


def _update_readme(markdown: str) -> None:
    text = README.read_text()
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    README.write_text(f"{text[:start]}\n{markdown}\n{text[end:]}")
    print(f"Updated the performance section of {README.relative_to(BENCH_DIR.parent)}")


if __name__ == "__main__":
    sys.exit(main())
