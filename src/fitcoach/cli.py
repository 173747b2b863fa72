"""The `fitcoach` command: serve the API, apply migrations, create or promote an admin, seed the
exercise library."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass

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
from fitcoach.training.exercises.service import exercises_service
from fitcoach.users.schemas import clean_name

USAGE_ERROR = 2
SERVERS = ("uvicorn", "granian")


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
        "fitcoach.app:create_app",
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
    )


def _serve_with_granian(args: argparse.Namespace) -> None:
    """The same app under granian: equal throughput here, a steadier tail under saturation
    (README compares them). Like uvicorn above: no access log of its own, no proxy headers."""
    GranianServer(
        "fitcoach.app:create_app",
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
