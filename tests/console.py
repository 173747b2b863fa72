"""Running the installed `fitcoach` console script as an operator would, with settings from the
environment only."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL

FITCOACH = Path(sys.executable).with_name("fitcoach")
# For tests of the console script alone: it runs on a SQLite database of its own, with settings
# from its own environment, so the PostgreSQL pass of the suite would repeat the SQLite pass.
RUNS_ON_ITS_OWN_SQLITE = pytest.mark.skipif(
    POSTGRES_URL is not None, reason="the console script runs on its own SQLite database"
)
CLI_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli_environment(workdir: Path, **settings: str) -> dict[str, str]:
    """The process environment without any FITCOACH_ variable of the test run, plus a SQLite
    database and a data folder inside `workdir` and the given settings."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("FITCOACH_")
    }
    environment["FITCOACH_DATABASE_URL"] = sqlite_url(workdir)
    environment["FITCOACH_DATA_DIR"] = str(workdir / "data")
    environment.update(settings)
    return environment


def sqlite_url(workdir: Path) -> str:
    return f"sqlite+aiosqlite:///{workdir / 'fitcoach.db'}"


async def run_cli(environment: dict[str, str], workdir: Path, *args: str) -> CliResult:
    process = await asyncio.create_subprocess_exec(
        str(FITCOACH),
        *args,
        env=environment,
        cwd=workdir,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), CLI_TIMEOUT_SECONDS)
    assert process.returncode is not None
    return CliResult(process.returncode, stdout.decode(), stderr.decode())
