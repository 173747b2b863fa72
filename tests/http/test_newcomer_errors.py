"""A newcomer's mistakes in the environment are one clear line and a non-zero exit from every
command, run as the installed console script: a bad FITCOACH_DATABASE_URL names the variable,
what is wrong and what to do; an invalid setting is named by its environment variable."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL
from tests.console import CliResult, cli_environment, run_cli

COMMANDS = (
    ("serve", "--port", "1"),
    ("migrate",),
    ("create-admin", "--phone", "+201000000001", "--password", "Adm1n!Passw0rd"),
)


async def _run_every_command(workdir: Path, **settings: str) -> list[CliResult]:
    environment = cli_environment(workdir, **settings)
    return list(
        await asyncio.gather(*(run_cli(environment, workdir, *command) for command in COMMANDS))
    )


async def _run_migrate(workdir: Path, **settings: str) -> list[CliResult]:
    return [await run_cli(cli_environment(workdir, **settings), workdir, "migrate")]


def _assert_one_clear_line(result: CliResult, *expected: str) -> None:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url at all", ("is not a database URL", "sqlite+aiosqlite://")),
        ("mysql+pymysql://root:hunter2@127.0.0.1/fitcoach", ("mysql", "SQLite or PostgreSQL")),
        ("postgresql://postgres@127.0.0.1/fitcoach", ("postgresql+asyncpg://",)),
        ("postgresql+asyncpg://postgres@127.0.0.1:1/fitcoach", ("cannot reach", "127.0.0.1:1")),
        ("sqlite+aiosqlite:////no/such/folder/fitcoach.db", ("/no/such/folder", "does not exist")),
    ],
    ids=["garbage", "mysql", "no-driver", "unreachable", "missing-folder"],
)
async def test_a_bad_database_url(tmp_path: Path, url: str, expected: tuple[str, ...]) -> None:
    # Every command goes through the same check; the wrong-kind URLs need not prove it again.
    run = _run_migrate if "mysql" in url or url.startswith("postgresql://") else _run_every_command
    for result in await run(tmp_path, FITCOACH_DATABASE_URL=url):
        _assert_one_clear_line(result, "FITCOACH_DATABASE_URL", *expected)
        assert "hunter2" not in result.output


async def test_a_sqlite_path_that_is_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.db"
    folder.mkdir()
    url = f"sqlite+aiosqlite:///{folder}"
    for result in await _run_every_command(tmp_path, FITCOACH_DATABASE_URL=url):
        _assert_one_clear_line(result, "FITCOACH_DATABASE_URL", "not a SQLite file")


@pytest.mark.postgres_only
async def test_a_missing_postgres_database(tmp_path: Path) -> None:
    assert POSTGRES_URL
    url = f"{POSTGRES_URL.rstrip('/')}/fitcoach_no_such_database"
    for result in await _run_every_command(tmp_path, FITCOACH_DATABASE_URL=url):
        _assert_one_clear_line(
            result, "FITCOACH_DATABASE_URL", "'fitcoach_no_such_database' does not exist"
        )


async def test_settings_errors_name_the_environment_variable(tmp_path: Path) -> None:
    environment = cli_environment(tmp_path, FITCOACH_DATABASE_POOL_SIZE="0")
    result = await run_cli(environment, tmp_path, "migrate")
    _assert_one_clear_line(result, "FITCOACH_DATABASE_POOL_SIZE")
    assert "database_pool_size" not in result.output


async def test_production_refuses_the_console_sms_provider_unless_allowed(tmp_path: Path) -> None:
    production = {
        "FITCOACH_ENV": "production",
        "FITCOACH_JWT_SECRET": "a-long-random-production-secret-0123456789abcdef",
    }
    environment = cli_environment(tmp_path, **production)
    refused = await run_cli(environment, tmp_path, "migrate")
    _assert_one_clear_line(refused, "FITCOACH_SMS_PROVIDER=console")
    assert "FITCOACH_ALLOW_CONSOLE_SMS_IN_PRODUCTION" in refused.stderr

    environment["FITCOACH_ALLOW_CONSOLE_SMS_IN_PRODUCTION"] = "true"
    unscanned = await run_cli(environment, tmp_path, "migrate")
    _assert_one_clear_line(unscanned, "FITCOACH_CLAMD_HOST")

    environment["FITCOACH_ALLOW_UNSCANNED_ATTACHMENTS_IN_PRODUCTION"] = "true"
    allowed = await run_cli(environment, tmp_path, "migrate")
    assert allowed.exit_code == 0, allowed.output
