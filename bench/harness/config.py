"""What one benchmark run uses: load shape, run counts, and the environment every fitcoach
server of the run shares. One place, so the output and the JSON can state them."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BENCH_DIR.parent
WRK_DIR = BENCH_DIR / "wrk"
RESULTS_DIR = BENCH_DIR / "results"
VENV_BIN = Path(sys.executable).parent

WORKERS = 2
# The Standard Webhooks secret the bench's wearable partner signs with (not a real one).
WEARABLE_PARTNER_SECRET = "whsec_YmVuY2gtd2VhcmFibGUtcGFydG5lci1zZWNyZXQ="
# Full runs take the budget's sizes; --quick stops at 100k so it stays a smoke test.
GROWTH_SIZES_FULL = (1_000, 100_000, 1_000_000)
GROWTH_SIZES_QUICK = (1_000, 10_000, 100_000)


@dataclass(frozen=True)
class LoadShape:
    """How wrk drives every scenario. Two threads: the generator shares the machine's cores
    with the server, so it must stay light."""

    connections: int = 64
    threads: int = 2
    duration_s: int = 10
    runs: int = 3
    # Throughput still rose from round to round after a 2 s warm-up (caches, JIT-less but
    # allocator and pool growth): 8 s lets every scenario settle before it is measured.
    warmup_s: int = 8
    growth_duration_s: int = 5  # per run at each size: six sizes to go, and p50 settles fast
    # Growth asks how a request's own time changes with the table, so it runs with a few
    # connections: at 64, p50 would be mostly time spent queueing behind the other 63.
    growth_connections: int = 4
    timeout_s: int = 10  # password logins queue behind argon2; wrk's 2 s default would cut them


def load_shape(*, quick: bool, connections: int, threads: int) -> LoadShape:
    if quick:
        return LoadShape(
            connections, threads, duration_s=3, runs=1, warmup_s=1, growth_duration_s=3
        )
    return LoadShape(connections, threads)


@dataclass(frozen=True)
class Targets:
    """Where the run's PostgreSQL database and Redis database are."""

    postgres_url: str  # libpq style, without a database: postgresql://postgres@127.0.0.1:5432
    database: str
    redis_url: str  # redis://host:port/db; this db is flushed before and after the run

    @property
    def database_dsn(self) -> str:
        return f"{self.postgres_url.rstrip('/')}/{self.database}"

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


@dataclass(frozen=True)
class BenchSettings:
    """The fitcoach settings of the run. The JWT secret is random per run: the tokens the
    harness mints die with it."""

    targets: Targets
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    # Longer than the default 15 minutes, so tokens minted at seed time outlive a full run.
    access_token_ttl_seconds: int = 3600

    @staticmethod
    def plain_env() -> dict[str, str]:
        """The caller's environment without its FITCOACH_* variables: the ceilings' environment,
        and the base of fitcoach's, which must not inherit settings from whoever runs this."""
        return {k: v for k, v in os.environ.items() if not k.startswith("FITCOACH_")}

    def server_env(self, test_otps: str, *, rate_limits: bool) -> dict[str, str]:
        """The environment of a fitcoach server: the production way."""
        return self.plain_env() | {
            "FITCOACH_ENV": "production",
            "FITCOACH_JWT_SECRET": self.jwt_secret,
            "FITCOACH_DATABASE_URL": self.targets.sqlalchemy_url,
            "FITCOACH_REDIS_URL": self.targets.redis_url,
            "FITCOACH_ACCESS_LOG": "false",
            "FITCOACH_LOG_LEVEL": "WARNING",
            "FITCOACH_RATE_LIMIT_ENABLED": "true" if rate_limits else "false",
            # wrk connects from 127.0.0.1; trusting it lets the rate-limited scenario give each
            # request its own client address in X-Forwarded-For, as a load balancer would.
            "FITCOACH_TRUSTED_PROXIES": "127.0.0.1/32" if rate_limits else "",
            "FITCOACH_TEST_OTPS": test_otps,
            # Fixed test numbers skip the cooldown and daily cap anyway (otp/service.py); these
            # make sure no per-phone limit can shape the OTP cycle.
            "FITCOACH_OTP_RESEND_SECONDS": "0",
            "FITCOACH_OTP_MAX_SENDS_PER_DAY": "1000",
            "FITCOACH_SMS_PROVIDER": "console",
            # Production refuses the console provider unless told: the bench sends no real SMS.
            "FITCOACH_ALLOW_CONSOLE_SMS_IN_PRODUCTION": "true",
            # No scenario uploads a file, and no ClamAV daemon runs beside the bench.
            "FITCOACH_ALLOW_UNSCANNED_ATTACHMENTS_IN_PRODUCTION": "true",
            "FITCOACH_ACCESS_TOKEN_TTL_SECONDS": str(self.access_token_ttl_seconds),
            # The wearable webhook's partner, and a tolerance that outlives a full run: its
            # deliveries are signed when the load files are written, before the first scenario.
            "FITCOACH_WEARABLE_PARTNER_SECRET": WEARABLE_PARTNER_SECRET,
            "FITCOACH_WEARABLE_WEBHOOK_TOLERANCE_SECONDS": "3600",
        }

    def public_env(self) -> dict[str, str]:
        """The server settings as printed and saved: everything but the secret and the codes."""
        env = self.server_env("", rate_limits=False)
        shown = {k: v for k, v in env.items() if k.startswith("FITCOACH_")}
        shown["FITCOACH_JWT_SECRET"] = f"<random, {len(self.jwt_secret)} chars>"
        shown["FITCOACH_TEST_OTPS"] = "<the QA numbers>"
        shown["FITCOACH_WEARABLE_PARTNER_SECRET"] = "<the bench partner's>"
        return shown
