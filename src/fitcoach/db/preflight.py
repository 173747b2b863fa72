"""Check FITCOACH_DATABASE_URL before a command uses it, so a newcomer's mistake (garbage text, a
MySQL URL, a server that is down, a database never created, a SQLite folder that does not exist)
is one line saying what is wrong and what to do, not a traceback from deep inside a driver."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

VARIABLE = "FITCOACH_DATABASE_URL"
EXAMPLES = (
    "sqlite+aiosqlite:///./fitcoach.db or postgresql+asyncpg://USER:PASSWORD@HOST:5432/DATABASE"
)
_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}


class DatabaseUrlError(Exception):
    """The URL cannot work; the message names the variable, the fault and the fix."""


def check_database_url(database_url: str, *, timeout_seconds: float = 5.0) -> None:
    url = _parsed(database_url)
    if url.get_backend_name() == "sqlite":
        _check_sqlite_path(url)
    else:
        asyncio.run(_check_postgres(url, timeout_seconds))


def _parsed(database_url: str) -> URL:
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise DatabaseUrlError(
            f"{VARIABLE} is not a database URL ({_shown(database_url)!r}): set it to {EXAMPLES}"
        ) from None
    backend, driver = url.get_backend_name(), url.get_driver_name()
    if backend not in _DRIVERS:
        raise DatabaseUrlError(
            f"{VARIABLE} names a {backend} database, which fitcoach does not support: "
            f"use SQLite or PostgreSQL, e.g. {EXAMPLES}"
        )
    if driver != _DRIVERS[backend]:
        raise DatabaseUrlError(
            f"{VARIABLE} uses the {driver!r} driver; fitcoach talks to {backend} through "
            f"{_DRIVERS[backend]}: write the URL as {backend}+{_DRIVERS[backend]}://..."
        )
    return url


def _shown(database_url: str) -> str:
    """The URL as it may be printed: a password, if one can be found, is masked."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except ArgumentError:
        return database_url if len(database_url) <= 80 else database_url[:77] + "..."


def _check_sqlite_path(url: URL) -> None:
    if not url.database or url.database == ":memory:":
        return
    path = Path(url.database)
    if path.exists():
        if path.is_dir() or not os.access(path, os.R_OK | os.W_OK):
            raise DatabaseUrlError(
                f"{VARIABLE} points at {path}, which is not a SQLite file this user can read "
                "and write: fix its permissions or point the URL at another file"
            )
        return
    folder = path.parent
    if not folder.is_dir():
        raise DatabaseUrlError(
            f"{VARIABLE} points at {path}, but the folder {folder} does not exist: "
            "create the folder or point the URL at an existing one"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseUrlError(
            f"{VARIABLE} points at {path}, but this user cannot create files in {folder}: "
            "make the folder writable or point the URL at a writable one"
        )


async def _check_postgres(url: URL, timeout_seconds: float) -> None:
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        connection = await asyncpg.connect(dsn, timeout=timeout_seconds)
    except asyncpg.InvalidCatalogNameError:
        raise DatabaseUrlError(
            f"{VARIABLE}: the database {url.database!r} does not exist on {where}: "
            f"create it (createdb {url.database}) or fix the name in the URL"
        ) from None
    except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError):
        raise DatabaseUrlError(
            f"{VARIABLE}: PostgreSQL at {where} refused user {url.username!r}: "
            "fix the user or password in the URL"
        ) from None
    except (OSError, TimeoutError, socket.gaierror) as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else _os_reason(exc)
        raise DatabaseUrlError(
            f"{VARIABLE}: cannot reach PostgreSQL at {where} ({reason}): start the server "
            "or fix the host and port in the URL"
        ) from None
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise DatabaseUrlError(
            f"{VARIABLE}: PostgreSQL at {where} refused the connection "
            f"({type(exc).__name__}): check the URL's user, database and options"
        ) from None
    await connection.close()


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return exc.strerror or type(exc).__name__
