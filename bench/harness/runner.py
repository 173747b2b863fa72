"""One benchmark run, phase by phase: prepare (database, seed, hash-bound limit), the main phase
(both ceilings and fitcoach side by side, scenarios interleaved run by run, then growth), the
rate-limited phase, and cleanup, which happens whatever went wrong.

The main phase interleaves: run 1 of every scenario, then run 2 of every scenario, and so on.
A noisy minute on a shared machine then lands on all scenarios alike instead of on one, and
the ceilings are measured under the same conditions as the figures divided by them.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

from harness import analytics as analytics_bench
from harness import database
from harness import events as event_bench
from harness import streams as stream_bench
from harness.config import RESULTS_DIR, BenchSettings, LoadShape, Targets
from harness.growth import GROWTH, GrowthScenario, empty, grow
from harness.machine import HashBound, cores, machine_info
from harness.proc import WorkerSampler, rss_mib, wait_idle
from harness.quiet import Quietness, measure_quietness
from harness.scenarios import (
    SCENARIOS,
    Context,
    ProbeFailed,
    Scenario,
    missing_routes,
    openapi_routes,
    write_load_files,
)
from harness.seed import SeedShape, seed
from harness.servers import (
    Server,
    ServerSpec,
    ceiling_command,
    fitcoach_cli_serves,
    fitcoach_command,
)
from harness.wrk import WrkRun, ensure_wrk, run_wrk, wrk_version

NOT_AVAILABLE = "not available yet"


class MachineBusy(RuntimeError):
    """Other processes use the cores the run needs."""


CEILINGS = ("starlette", "fastapi")
SETTLE_S = 1.0  # after start-up or load, before reading memory "at rest"


@dataclass(frozen=True)
class Options:
    shape: LoadShape
    targets: Targets
    growth_sizes: tuple[int, ...]
    keep: bool  # keep the database and the work folder, for a look after the run
    only: tuple[str, ...] = ()  # scenario keys to measure (with the ceilings); empty: all
    allow_busy: bool = False  # measure even when other processes keep the machine busy
    broker_url: str = "amqp://guest:guest@127.0.0.1:5672/"  # RabbitMQ, for the events scenario
    quick: bool = False


@dataclass
class ScenarioResult:
    scenario: Scenario
    status: str = "ok"
    runs: list[WrkRun] = field(default_factory=list)


@dataclass
class GrowthResult:
    scenario: GrowthScenario
    status: str = "ok"
    sizes: dict[int, list[WrkRun]] = field(default_factory=dict)


@dataclass
class WorkerMemory:
    rest_mib: float
    peak_mib: float = 0.0
    peak_scenario: str | None = None
    after_mib: float | None = None
    peaks: dict[str, float] = field(default_factory=dict)  # by scenario (or growth step)
    replaced_during: str | None = None  # uvicorn killed it (missed health pings) or it died


@dataclass
class Results:
    started_at: datetime
    shape: LoadShape
    server_command: str = ""
    machine: dict[str, object] = field(default_factory=dict)
    server_env: dict[str, str] = field(default_factory=dict)
    seed_counts: dict[str, int] = field(default_factory=dict)
    hash_bound: HashBound | None = None
    scenarios: list[ScenarioResult] = field(default_factory=list)
    growth: list[GrowthResult] = field(default_factory=list)
    memory: dict[str, dict[int, WorkerMemory]] = field(default_factory=dict)
    quietness: list[tuple[str, Quietness]] = field(default_factory=list)
    events: event_bench.EventResult | None = None
    analytics: dict[str, object] | None = None
    streams: stream_bench.StreamResult | None = None
    finished_at: datetime | None = None


def progress(message: str) -> None:
    """Progress goes to stderr; stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


class BenchRun:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.shape = options.shape
        self.bench = BenchSettings(options.targets)
        self.work_dir = RESULTS_DIR / "work"
        self.results = Results(started_at=datetime.now(UTC), shape=self.shape)
        self.results.scenarios = [
            ScenarioResult(scenario)
            for scenario in SCENARIOS
            if not options.only or scenario.is_ceiling or scenario.key in options.only
        ]
        self.servers: dict[str, Server] = {}
        self.context: Context | None = None
        self.wrk = ""
        self.routes: set[str] | None = None
        self.fitcoach_command: list[str] = []
        self.idle: dict[str, bool] = {}  # servers known idle since their last run

    def execute(self) -> Results:
        try:
            self._prepare()
            if any(not result.scenario.is_ceiling for result in self.results.scenarios):
                self._main_phase()
            self._alone_phase("fitcoach-rl")
            self._alone_phase("fitcoach-granian")
            if not self.options.only or stream_bench.KEY in self.options.only:
                self._streams_phase()
            if not self.options.only or event_bench.KEY in self.options.only:
                self._events_phase()
            if not self.options.only or analytics_bench.KEY in self.options.only:
                progress("analytics: cohorts and progress in-process (bench/analytics.py)")
                self.results.analytics = analytics_bench.measure(
                    self.options.targets, self.work_dir, quick=self.options.quick
                )
        finally:
            self._cleanup()
        self.results.finished_at = datetime.now(UTC)
        return self.results

    # Prepare ------------------------------------------------------------------------------

    def _prepare(self) -> None:
        self._require_quiet_machine()
        self.wrk = ensure_wrk()
        self._choose_fitcoach_command()
        shutil.rmtree(self.work_dir, ignore_errors=True)
        self.work_dir.mkdir(parents=True)
        self._prepare_database()
        database.flush_redis(self.options.targets.redis_url)
        self.results.server_env = self.bench.public_env()
        postgres = asyncio.run(database.server_version(self.options.targets))
        redis_url = self.options.targets.redis_url
        self.results.machine = machine_info(postgres, redis_url, wrk_version(self.wrk))
        self._measure_hash_bound()

    def _require_quiet_machine(self) -> None:
        quietness = measure_quietness(set())
        progress(f"machine before the run: {quietness.describe()}")
        if quietness.busy and not self.options.allow_busy:
            raise MachineBusy(
                f"the machine is busy ({quietness.describe()}); every ratio would be skewed. "
                "Wait for it to settle, or pass --allow-busy to measure anyway (the report then "
                "says so)."
            )
        self.results.quietness.append(("before the run", quietness))

    def _note_quietness(self, label: str) -> None:
        ours = {pid for server in self.servers.values() for pid in server.workers()}
        quietness = measure_quietness(ours, sample_s=1.0)
        self.results.quietness.append((label, quietness))
        if quietness.busy:
            progress(f"BUSY {label}: {quietness.describe()}")

    def _measure_hash_bound(self) -> None:
        progress("timing argon2 verifications for the hash-bound limit")
        if self.results.hash_bound is None:
            self.results.hash_bound = HashBound(cores())
        self.results.hash_bound.measure()

    def _choose_fitcoach_command(self) -> None:
        """`fitcoach serve` when the CLI has it, else the uvicorn command it stands for."""
        self.fitcoach_command = fitcoach_command(cli=fitcoach_cli_serves())
        program = self.fitcoach_command[0].rsplit("/", 1)[-1]
        shown = [f".venv/bin/{program}", *self.fitcoach_command[1:], "--host 127.0.0.1"]
        self.results.server_command = " ".join([*shown, "--port <free>"])

    def _prepare_database(self) -> None:
        targets = self.options.targets
        progress(f"database {targets.database}: recreating, migrating, seeding")
        asyncio.run(database.recreate_database(targets))
        database.migrate(targets, self.bench.server_env("", rate_limits=False), self.work_dir)
        # Fresh refresh tokens for the mixed scenario's warm-up and each of its runs, at up to
        # 300 refreshes a second.
        seed_shape = SeedShape(
            refresh_slots=self.shape.runs + 1,
            refresh_per_slot=300 * max(self.shape.duration_s, self.shape.warmup_s),
        )
        started = time.monotonic()
        seeded = asyncio.run(seed(targets.database_dsn, self.bench, seed_shape))
        elapsed = time.monotonic() - started
        progress(f"seeded {sum(seeded.counts.values()):,} rows in {elapsed:.1f} s")
        self.context = Context(seeded, write_load_files(seeded, self.work_dir))
        self.results.seed_counts = seeded.counts

    # Servers ------------------------------------------------------------------------------

    def _spec(self, name: str) -> ServerSpec:
        if name in CEILINGS:
            return ServerSpec(
                name, ceiling_command(f"{name}_app"), self.bench.plain_env(), "/ceiling"
            )
        test_otps = self._context().seed.test_otps
        env = self.bench.server_env(test_otps, rate_limits=name == "fitcoach-rl")
        command = self.fitcoach_command
        if name == "fitcoach-granian":
            command = [*command, "--server", "granian"]
        return ServerSpec(name, command, env, "/api/v1/health")

    def _start(self, name: str) -> Server:
        server = Server(self._spec(name), self.work_dir)
        self.servers[name] = server
        progress(f"starting {name}")
        server.start()
        time.sleep(SETTLE_S)
        self.results.memory[name] = {
            pid: WorkerMemory(rest_mib=rss_mib(pid) or 0.0) for pid in server.workers()
        }
        return server

    def _stop(self, name: str) -> None:
        """Stop the server, reading its workers' memory once the load is over."""
        server = self.servers.pop(name)
        time.sleep(SETTLE_S)
        for pid, memory in self.results.memory.get(name, {}).items():
            memory.after_mib = rss_mib(pid)
        server.stop()

    # Main phase ---------------------------------------------------------------------------

    def _main_phase(self) -> None:
        for name in ("starlette", "fastapi", "fitcoach"):
            self._start(name)
        self.routes = self._openapi_routes(self.servers["fitcoach"])
        active = [result for result in self.results.scenarios if self._ready(result)]
        self._measure_interleaved(active, hash_rounds=True)
        if not self.options.only:  # re-measuring one path: the growth steps are not asked for
            self._growth_phase(self.servers["fitcoach"])
        for name in ("starlette", "fastapi", "fitcoach"):
            self._stop(name)

    def _alone_phase(self, server_name: str) -> None:
        """The scenarios of a second fitcoach (rate limits on, or under granian)."""
        waiting = [r for r in self.results.scenarios if r.scenario.server == server_name]
        if not waiting:
            return
        # Alone, after the main fitcoach has stopped: two servers' pools at once could take
        # most of PostgreSQL's 100 connections, which others on the machine may need.
        self._start(server_name)
        active = [result for result in waiting if self._ready(result)]
        self._measure_interleaved(active)
        self._stop(server_name)

    def _openapi_routes(self, server: Server) -> set[str] | None:
        response = httpx.get(f"{server.url}/openapi.json", timeout=30)
        if response.status_code != 200:
            progress("fitcoach serves no /openapi.json: every scenario will be probed instead")
            return None
        return openapi_routes(response.json())

    def _ready(self, result: ScenarioResult) -> bool:
        """Whether the scenario can run: its server is up, its routes exist, its probe passed."""
        scenario = result.scenario
        server = self.servers.get(scenario.server)
        if server is None:
            return False
        missing = missing_routes(scenario.needs, self.routes) if self.routes is not None else []
        if missing:
            result.status = f"{NOT_AVAILABLE} (no {', '.join(missing)})"
            return False
        if scenario.probe is not None:
            try:
                with httpx.Client(base_url=server.url, timeout=30) as client:
                    scenario.probe(client, self._context())
            except ProbeFailed as exc:
                result.status = f"probe failed: {exc}"
                progress(
                    f"{result.status}\n{server.name}'s log ends:\n{server.log_tail(5)[-3000:]}"
                )
                return False
        return True

    def _measure_interleaved(
        self, active: list[ScenarioResult], *, hash_rounds: bool = False
    ) -> None:
        """Warm every scenario up, then run them round by round. With `hash_rounds`, the
        hash-bound limit is measured again before each round, the servers being idle then."""
        shape = self.shape
        for result in active:
            progress(f"warm-up {shape.warmup_s} s: {result.scenario.title}")
            self._wrk(result.scenario, slot=0, duration_s=shape.warmup_s)
        for run in range(1, shape.runs + 1):
            self._note_quietness(f"round {run}")
            if hash_rounds:
                self._measure_hash_bound()
            for result in active:
                measured = self._wrk(result.scenario, slot=run, duration_s=shape.duration_s)
                result.runs.append(measured)
                progress(
                    f"run {run}/{shape.runs} {result.scenario.title}: {measured.rps:,.0f} req/s, "
                    f"p99 {measured.latency_ms['p99']:.1f} ms, errors {measured.error_count}"
                )

    def _wrk(self, scenario: Scenario, *, slot: int, duration_s: int) -> WrkRun:
        return self._load(
            scenario.server,
            scenario.key,
            url_path=scenario.url_path,
            script=scenario.script,
            args=scenario.args(self._context(), slot),
            duration_s=duration_s,
        )

    def _load(
        self,
        server_name: str,
        label: str,
        *,
        url_path: str,
        script: str,
        args: list[str],
        duration_s: int,
        connections: int | None = None,
    ) -> WrkRun:
        """One wrk run from an idle server until the server is idle again, sampling the
        workers' memory and CPU time meanwhile."""
        connections = connections or self.shape.connections
        server = self.servers[server_name]
        pids = server.workers()
        # Idle already when the last run here ended idle and nothing ran since (growth fills).
        if not self.idle.pop(server_name, False) and not wait_idle(pids):
            progress(f"{server_name} is still busy from the last run; measuring anyway")
        with WorkerSampler(pids) as sampler:
            url = server.url + url_path
            run = run_wrk(
                self.wrk,
                url,
                script,
                args,
                self.shape,
                duration_s=duration_s,
                connections=connections,
            )
            self.idle[server_name] = wait_idle(pids)
        # Each connection had a request in flight when wrk stopped; the server finished those
        # too (in the CPU time) though wrk did not count them.
        served = run.requests + connections
        run = replace(run, server_cpu_ms=round(sampler.cpu_s * 1000 / served, 2))
        self._record_memory(server_name, label, sampler.peaks)
        self._check_workers(server, pids, label)
        return run

    def _record_memory(self, server_name: str, label: str, peaks: dict[int, float]) -> None:
        workers = self.results.memory[server_name]
        for pid, peak in peaks.items():
            memory = workers.setdefault(pid, WorkerMemory(rest_mib=0.0))
            memory.peaks[label] = max(memory.peaks.get(label, 0.0), peak)
            if peak > memory.peak_mib:
                memory.peak_mib, memory.peak_scenario = peak, label

    def _check_workers(self, server: Server, before: list[int], label: str) -> None:
        """A worker gone after a run was killed by uvicorn (no answer to its health ping for
        5 s) or died: the run's figures include a restart, which the report must say."""
        gone = sorted(set(before) - set(server.workers()))
        workers = self.results.memory[server.name]
        for pid in gone:
            # A replacement of a replacement was never sampled at rest: no entry yet.
            workers.setdefault(pid, WorkerMemory(rest_mib=0.0)).replaced_during = label
            progress(f"WARNING: {server.name} worker {pid} was replaced during {label}")

    def _context(self) -> Context:
        assert self.context is not None
        return self.context

    # Growth -------------------------------------------------------------------------------

    def _growth_phase(self, server: Server) -> None:
        for scenario in GROWTH:
            result = GrowthResult(scenario)
            self.results.growth.append(result)
            reason = self._growth_unavailable(scenario)
            if reason:
                result.status = f"{NOT_AVAILABLE} ({reason})"
                continue
            try:
                self._measure_growth(server, result)
            except (ProbeFailed, OSError, RuntimeError, asyncpg.PostgresError) as exc:
                # The table's shape may have moved on from the fill's SQL: say so, go on.
                result.status = f"failed: {exc}"

    def _growth_unavailable(self, scenario: GrowthScenario) -> str | None:
        missing = missing_routes(scenario.needs, self.routes) if self.routes is not None else []
        if missing:
            return f"no {', '.join(missing)}"
        if not asyncio.run(database.table_exists(self.options.targets, scenario.table)):
            return f"no {scenario.table} table"
        if scenario.fill is None:
            return "no seed for it in bench/harness/growth.py"
        return None

    def _measure_growth(self, server: Server, result: GrowthResult) -> None:
        scenario, shape = result.scenario, self.shape
        tokens = getattr(self._context().files, scenario.tokens)
        if scenario.starts_empty:
            asyncio.run(empty(self.options.targets.database_dsn, scenario))
        for size in self.options.growth_sizes:
            progress(f"growth {scenario.title}: filling {scenario.table} to {size:,} rows")
            asyncio.run(grow(self.options.targets.database_dsn, scenario, size))
            self.idle.pop("fitcoach", None)  # autovacuum and friends may follow a bulk load
            self._probe_growth(server, scenario, tokens)
            label = f"{scenario.key}@{size}"
            args = [str(tokens), scenario.path]
            self._load_growth(label, args, shape.warmup_s)
            result.sizes[size] = [
                self._load_growth(label, args, shape.growth_duration_s) for _ in range(shape.runs)
            ]
            p50s = ", ".join(f"{run.latency_ms['p50']:.1f}" for run in result.sizes[size])
            progress(f"growth {scenario.key} at {size:,} rows: p50 {p50s} ms")

    def _load_growth(self, label: str, args: list[str], duration_s: int) -> WrkRun:
        return self._load(
            "fitcoach",
            label,
            url_path="/",
            script="token_get.lua",
            args=args,
            duration_s=duration_s,
            connections=self.shape.growth_connections,
        )

    def _probe_growth(self, server: Server, scenario: GrowthScenario, tokens: Path) -> None:
        token = tokens.read_text().split("\n", 1)[0].split()[1]
        response = httpx.get(
            server.url + scenario.path, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        if response.status_code != 200:
            raise ProbeFailed(f"{scenario.path} answered {response.status_code}")

    # Live streams -------------------------------------------------------------------------

    def _streams_phase(self) -> None:
        """The fitcoach server alone, holding 1,000 streams while the coach sends messages."""
        self._start("fitcoach")
        try:
            seed = self._context().seed
            customers = [(u.user_id, u.token) for u in seed.free_users + seed.paid_users]
            shape = stream_bench.StreamShape.of(quick=self.options.quick)
            progress(
                f"live streams: {shape.streams:,} open, {shape.messages} messages at "
                f"{shape.per_second:.0f}/s"
            )
            result = asyncio.run(
                stream_bench.measure(
                    self.servers["fitcoach"].url, seed.messaged_coach.token, customers, shape
                )
            )
            progress(
                f"live streams: {result.delivered}/{result.sent} delivered, {result.latency_ms}"
            )
        except (RuntimeError, httpx.HTTPError) as exc:
            result = stream_bench.StreamResult(status=f"failed: {exc}")
        finally:
            self._stop("fitcoach")
        self.results.streams = result

    # Events -------------------------------------------------------------------------------

    def _events_phase(self) -> None:
        """Two `fitcoach worker` processes on RabbitMQ (a queue of the run's own), alone on the
        machine but for PostgreSQL, Redis and RabbitMQ; the events scenario against them."""
        broker_url = self.options.broker_url
        unreachable = asyncio.run(event_bench.broker_reachable(broker_url))
        if unreachable:
            self.results.events = event_bench.EventResult(status=f"{NOT_AVAILABLE} ({unreachable})")
            progress(unreachable)
            return
        queue = f"fitcoach-bench-{uuid.uuid4().hex[:8]}"
        server_env = self.bench.server_env("", rate_limits=False)
        env = event_bench.worker_env(server_env, broker_url, queue)
        workers = [
            event_bench.WorkerProcess(env, self.work_dir / f"worker-{n}.log")
            for n in range(1, event_bench.WORKERS + 1)
        ]
        progress(f"starting {event_bench.WORKERS} fitcoach workers on RabbitMQ queue {queue}")
        try:
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.wait_ready()
            self._note_quietness("events")
            shape = event_bench.EventShape.of(quick=self.options.quick)
            progress(
                f"events: a backlog of {shape.backlog:,}, then {shape.steady_rate}/s for "
                f"{shape.steady_s} s"
            )
            result = asyncio.run(
                event_bench.measure(self.options.targets, shape, [w.pid for w in workers])
            )
            progress(
                f"events: {result.capacity_per_s:,.0f} events/s; at {result.steady_sent_per_s}/s "
                f"lag p50 {result.lag_ms['p50']} ms, p99 {result.lag_ms['p99']} ms"
            )
        except RuntimeError as exc:
            result = event_bench.EventResult(status=f"failed: {exc}")
            for worker in workers:
                progress(f"{worker.log_path.name} ends:\n{worker.log_tail(10)}")
        finally:
            for worker in workers:
                worker.stop()
            asyncio.run(event_bench.delete_queue(broker_url, queue))
        result.worker_env = {k: v for k, v in env.items() if k.startswith("FITCOACH_")} | {
            "FITCOACH_JWT_SECRET": "<random>",
            "FITCOACH_TEST_OTPS": "",
        }
        self.results.events = result

    # Cleanup ------------------------------------------------------------------------------

    def _cleanup(self) -> None:
        for name in list(self.servers):
            try:
                self.servers.pop(name).stop()
            except OSError as exc:
                progress(f"could not stop {name}: {exc}")
        targets = self.options.targets
        if self.options.keep:
            progress(f"kept database {targets.database} and {self.work_dir}")
            return
        # The work folder holds access tokens; they die with the run's secret, but go anyway.
        try:
            asyncio.run(database.drop_database(targets))
            database.flush_redis(targets.redis_url)
        except Exception as exc:  # cleanup reports and carries on; the run's error matters more
            progress(f"cleanup: {exc}")
        shutil.rmtree(self.work_dir, ignore_errors=True)
