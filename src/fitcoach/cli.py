"""The `fitcoach` command: serve the API, run background workers, list and retry jobs, apply
migrations, create or promote an admin, seed the exercise library."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module

import uvicorn
from alembic.script import ScriptDirectory
from email_validator import EmailNotValidError, validate_email
from granian.constants import Interfaces
from granian.server import Server as GranianServer
from pydantic import ValidationError

from fitcoach.accounts.service import DEFAULT_ADMIN_NAME, accounts_service
from fitcoach.auth.password_hashing import check_password_policy, hash_password
from fitcoach.config import Settings, load_settings, settings_problems
from fitcoach.core.clock import Clock
from fitcoach.core.errors import DomainError
from fitcoach.core.logging import configure_logging
from fitcoach.core.metrics import MULTIPROCESS_ENV
from fitcoach.core.phone import InvalidPhoneNumber, normalize_phone
from fitcoach.db.engine import create_engine, create_sessionmaker
from fitcoach.db.migrate import alembic_config, upgrade_to_head
from fitcoach.db.preflight import DatabaseUrlError, check_database_url
from fitcoach.db.sqlite_owner import claim_sqlite_file
from fitcoach.http.pagination import MAX_PAGE_SIZE, PageRequest
from fitcoach.jobs.schemas import JobOut
from fitcoach.jobs.service import jobs_service
from fitcoach.training.exercises.service import exercises_service
from fitcoach.users.schemas import clean_name
from fitcoach.worker.store import LISTABLE_STATES

USAGE_ERROR = 2
SERVERS = ("uvicorn", "granian")
# The app factory each worker calls (by name: the workers are fresh processes).
SERVED_APP = "fitcoach.app:serve_app"
WORKER_HEALTHCHECK_SECONDS = 30


class UsageError(Exception):
    """Input the command refuses; its message is shown as is and the exit code is 2."""


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ValidationError as exc:
        for problem in settings_problems(exc):
            print(f"fitcoach: {problem}", file=sys.stderr)
        sys.exit(USAGE_ERROR)
    try:
        # Every command needs the database; a URL that cannot work is one line, not a traceback.
        check_database_url(settings.database_url)
        args.run(settings, args)
    except (UsageError, DatabaseUrlError) as exc:
        print(f"fitcoach {args.command}: {exc}", file=sys.stderr)
        sys.exit(USAGE_ERROR)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fitcoach",
        description="The fitcoach API server. Settings come from FITCOACH_* variables and .env.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="apply pending migrations, then serve the API")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3000, help="port to bind (default 3000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument(
        "--no-migrate", action="store_true", help="start without applying pending migrations"
    )
    serve.add_argument(
        "--server",
        choices=SERVERS,
        default="uvicorn",
        help="the ASGI server: uvicorn (default) or granian (see README)",
    )
    serve.set_defaults(run=_serve)

    worker = commands.add_parser(
        "worker",
        help="run background work: relay events, run jobs, schedule recurring jobs "
        "(consumes from FITCOACH_BROKER_URL when set)",
    )
    worker.set_defaults(run=_worker)

    jobs = commands.add_parser("jobs", help="list background jobs; retry or discard one")
    job_commands = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    listing = job_commands.add_parser("list", help="jobs in one state, oldest due first")
    listing.add_argument("--state", choices=LISTABLE_STATES, default="dead")
    listing.add_argument("--limit", type=int, default=50, help=f"at most {MAX_PAGE_SIZE}")
    listing.set_defaults(run=_jobs_list)
    retry = job_commands.add_parser("retry", help="run a dead job again (audited)")
    retry.add_argument("job_id", type=uuid.UUID)
    retry.set_defaults(run=_jobs_retry)
    discard = job_commands.add_parser("discard", help="never run a job (audited)")
    discard.add_argument("job_id", type=uuid.UUID)
    discard.set_defaults(run=_jobs_discard)

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(run=_migrate)

    create_admin = commands.add_parser(
        "create-admin", help="create an admin, or promote the user who has this phone"
    )
    create_admin.add_argument("--phone", required=True, help="E.164, e.g. +201234567890")
    create_admin.add_argument("--password", required=True, help="the password to sign in with")
    create_admin.add_argument("--name", help=f"5-30 characters (default {DEFAULT_ADMIN_NAME!r})")
    create_admin.add_argument("--email", help="optional email address to sign in with")
    create_admin.set_defaults(run=_create_admin)

    seed_exercises = commands.add_parser(
        "seed-exercises",
        help="add the shipped exercises missing from the library (never changes an edited one)",
    )
    seed_exercises.set_defaults(run=_seed_exercises)
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    configure_logging(level=settings.log_level, as_json=settings.logs_as_json)
    if settings.is_sqlite:
        warning = claim_sqlite_file(settings.database_url)
        if warning is not None:
            print(f"fitcoach serve: {warning}", file=sys.stderr)
    if not args.no_migrate:
        upgrade_to_head(settings.database_url)
    if args.workers > 1 and not os.environ.get(MULTIPROCESS_ENV):
        _share_metrics_between_workers(settings)
    if args.server == "granian":
        _serve_with_granian(args)
        return
    uvicorn.run(
        SERVED_APP,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # The app logs its own access line (with request id and route template) and configures
        # logging itself; uvicorn's would duplicate or override it.
        access_log=False,
        log_config=None,
        # Client IPs are resolved by the app from FITCOACH_TRUSTED_PROXIES; uvicorn rewriting
        # the peer from X-Forwarded-For would let any client pick its own rate-limit key.
        proxy_headers=False,
        server_header=False,
        # A worker answers the supervisor's ping only once it has imported the app; on a busy
        # host that takes longer than uvicorn's 5 s, and a worker killed for it is replaced by
        # one that is killed for the same reason, forever.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


def _serve_with_granian(args: argparse.Namespace) -> None:
    """The same app under granian: equal throughput here, a steadier tail under saturation
    (README compares them). Like uvicorn above: no access log of its own, no proxy headers."""
    GranianServer(
        SERVED_APP,
        factory=True,
        address=args.host,
        port=args.port,
        workers=args.workers,
        interface=Interfaces.ASGI,
        log_access=False,
        respawn_failed_workers=True,
    ).serve()


def _share_metrics_between_workers(settings: Settings) -> None:
    """Each worker writes its figures to files in one folder, and /metrics on any worker sums
    them. Emptied at start, so a restart does not add the previous run's counts."""
    folder = settings.data_dir / "prometheus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[MULTIPROCESS_ENV] = str(folder.resolve())


def _migrate(settings: Settings, args: argparse.Namespace) -> None:
    upgrade_to_head(settings.database_url)
    head = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head()
    print(f"Database is at the newest schema revision: {head}")


def _seed_exercises(settings: Settings, args: argparse.Namespace) -> None:
    upgrade_to_head(settings.database_url)
    added = asyncio.run(_seed_library(settings))
    print(f"Exercise library seeded: {added} added")


async def _seed_library(settings: Settings) -> int:
    engine = create_engine(settings)
    try:
        clock = Clock()
        async with create_sessionmaker(engine, clock)() as session, session.begin():
            return await exercises_service.seed_library(session, clock.now())
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class AdminAccount:
    phone: str
    password: str
    name: str | None
    email: str | None


def _create_admin(settings: Settings, args: argparse.Namespace) -> None:
    account = _checked_admin_account(settings, args)
    upgrade_to_head(settings.database_url)
    try:
        promoted, user_id = asyncio.run(_save_admin(settings, account))
    except DomainError as exc:
        raise UsageError(exc.message) from exc
    print(f"Admin {'promoted' if promoted else 'created'}: {user_id}")


def _checked_admin_account(settings: Settings, args: argparse.Namespace) -> AdminAccount:
    try:
        phone = normalize_phone(args.phone, settings.default_phone_region)
    except InvalidPhoneNumber as exc:
        raise UsageError(f"{exc} ({args.phone!r})") from exc
    try:
        check_password_policy(args.password)
        name = clean_name(args.name) if args.name is not None else None
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    email = None
    if args.email is not None:
        try:
            email = validate_email(args.email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise UsageError(f"Invalid email address ({args.email!r})") from exc
    return AdminAccount(phone=phone, password=args.password, name=name, email=email)


async def _save_admin(settings: Settings, account: AdminAccount) -> tuple[bool, str]:
    """Create the admin or promote the phone's user, in one transaction. Returns whether an
    existing user was promoted, and the user's id."""
    engine = create_engine(settings)
    clock = Clock()
    try:
        async with create_sessionmaker(engine, clock)() as session, session.begin():
            provisioned = await accounts_service.provision_admin(
                session,
                phone=account.phone,
                password_hash=await hash_password(account.password),
                name=account.name,
                email=account.email,
                now=clock.now(),
            )
            return provisioned.promoted, str(provisioned.user.id)
    finally:
        await engine.dispose()


def _worker(settings: Settings, args: argparse.Namespace) -> None:
    configure_logging(level=settings.log_level, as_json=settings.logs_as_json)
    asyncio.run(_run_worker(settings))


async def _run_worker(settings: Settings) -> None:
    """Until SIGTERM or SIGINT, then a graceful stop: running jobs get worker_stop_seconds to
    finish and any left are handed back."""
    # The app factory by name, as `serve` hands it to uvicorn: the two entry points stay
    # independent of each other. The worker runs the app's wiring (providers, handlers)
    # without serving HTTP.
    create_app = import_module("fitcoach.app").create_app
    app = create_app(settings.model_copy(update={"worker_embedded": False}))
    engine = app.state.worker
    engine.consumes = True
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with app.router.lifespan_context(app):
        await engine.start_loops(consume=True)
        print(f"fitcoach worker {engine.identity.id} ready", file=sys.stderr, flush=True)
        await stop.wait()
        await engine.stop()


def _jobs_list(settings: Settings, args: argparse.Namespace) -> None:
    if not 1 <= args.limit <= MAX_PAGE_SIZE:
        raise UsageError(f"--limit must be between 1 and {MAX_PAGE_SIZE}")
    jobs, total = asyncio.run(_list_jobs(settings, args.state, args.limit))
    print(f"{total} {args.state} job(s)")
    for job in jobs:
        error = (job.last_error or "").splitlines()[0][:80] if job.last_error else ""
        print(
            f"{job.id}  {job.name}  attempts {job.attempts}/{job.max_attempts}  "
            f"due {job.due_at.isoformat()}  {error}".rstrip()
        )


async def _list_jobs(settings: Settings, state: str, limit: int) -> tuple[list[JobOut], int]:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine, Clock())() as session:
            jobs, total = await jobs_service.list(
                session, state, datetime.now(UTC), PageRequest(page=1, page_size=limit)
            )
            return [JobOut.of(job) for job in jobs], total
    finally:
        await engine.dispose()


def _jobs_retry(settings: Settings, args: argparse.Namespace) -> None:
    job = asyncio.run(_change_job(settings, args.job_id, retry=True))
    print(f"Job {job.id} ({job.name}) will run again")


def _jobs_discard(settings: Settings, args: argparse.Namespace) -> None:
    job = asyncio.run(_change_job(settings, args.job_id, retry=False))
    print(f"Job {job.id} ({job.name}) discarded")


async def _change_job(settings: Settings, job_id: uuid.UUID, *, retry: bool) -> JobOut:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine, Clock())() as session, session.begin():
            now = datetime.now(UTC)
            change = jobs_service.retry if retry else jobs_service.discard
            return JobOut.of(await change(session, job_id, now))
    except DomainError as exc:
        raise UsageError(exc.message) from exc
    finally:
        await engine.dispose()
