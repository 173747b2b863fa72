"""`fitcoach seed-exercises`, run as the installed console script: the migration already seeded
the library, and the command restores deleted rows without touching the others."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, func, select

from fitcoach.models import Exercise
from tests.conftest import make_settings
from tests.console import RUNS_ON_ITS_OWN_SQLITE, cli_environment, run_cli, sqlite_url
from tests.standalone import standalone_app

pytestmark = RUNS_ON_ITS_OWN_SQLITE


async def _count_and_delete(workdir: Path, delete_some: bool) -> int:
    settings = make_settings(sqlite_url(workdir), workdir)
    async with standalone_app(settings) as (app, _), app.state.sessionmaker() as session:
        if delete_some:
            async with session.begin():
                names = select(Exercise.id).order_by(Exercise.name).limit(3)
                await session.execute(delete(Exercise).where(Exercise.id.in_(names)))
        total = await session.scalar(select(func.count()).select_from(Exercise))
        return int(total or 0)


async def test_the_seed_command_restores_missing_exercises_only(tmp_path: Path) -> None:
    environment = cli_environment(tmp_path)
    first = await run_cli(environment, tmp_path, "seed-exercises")
    assert first.exit_code == 0, first.output
    assert "Exercise library seeded: 0 added" in first.stdout  # the migration seeded them
    assert await _count_and_delete(tmp_path, delete_some=True) == 869
    again = await run_cli(environment, tmp_path, "seed-exercises")
    assert "Exercise library seeded: 3 added" in again.stdout, again.output
    assert await _count_and_delete(tmp_path, delete_some=False) == 872
