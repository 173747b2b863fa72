"""Notice a second `fitcoach serve` on the same SQLite file. Two servers on one file take turns on
its single write lock, so the second adds no capacity and makes every write wait; one server
with --workers, or PostgreSQL, is the way to more. A warning, not a refusal: a one-off script or
a brief overlap during a restart is legitimate."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

# Held for the life of the serving process: the OS releases the lock when it exits, however.
_held: list[IO[str]] = []


def claim_sqlite_file(database_url: str) -> str | None:
    """Take the serving lock beside the SQLite file; a warning to show if another server holds
    it, else None."""
    database = make_url(database_url).database
    if not database or database == ":memory:":
        return None
    path = Path(database).resolve()
    lock = path.with_name(path.name + ".serve-lock").open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        owner = lock.read().strip() or "unknown"
        lock.close()
        return (
            f"warning: another `fitcoach serve` (pid {owner}) is already serving the SQLite "
            f"file {path}. Two servers on one SQLite file queue on its single write lock: "
            "stop one, run one server with --workers N, or use PostgreSQL."
        )
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    _held.append(lock)
    return None
