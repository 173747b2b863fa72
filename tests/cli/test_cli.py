"""`fitcoach migrate` and `fitcoach create-admin`, run as the installed console script against a
fresh SQLite file; the admin they make signs in through HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fitcoach.models import AuditEntry, User
from tests.conftest import make_settings
from tests.console import RUNS_ON_ITS_OWN_SQLITE, cli_environment, run_cli, sqlite_url
from tests.factories import assert_error
from tests.standalone import standalone_app

pytestmark = RUNS_ON_ITS_OWN_SQLITE

ADMIN_PHONE = "+201000000001"
ADMIN_PASSWORD = "Adm1n!Passw0rd"
CREATED = re.compile(r"^Admin created: ([0-9a-f-]{36})$", re.MULTILINE)
PROMOTED = re.compile(r"^Admin promoted: ([0-9a-f-]{36})$", re.MULTILINE)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def environment(workdir: Path) -> dict[str, str]:
    return cli_environment(workdir)


async def _count_users(workdir: Path) -> int:
    settings = make_settings(sqlite_url(workdir), workdir)
    async with standalone_app(settings) as (app, _), app.state.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(User))).scalar_one())


async def _login(workdir: Path, phone: str, password: str) -> dict:  # type: ignore[type-arg]
    async with standalone_app(make_settings(sqlite_url(workdir), workdir)) as (_, client):
        response = await client.post(
            "/api/v1/auth/login", json={"provider": phone, "password": password}
        )
        assert response.status_code == 200, response.text
        data: dict = response.json()["data"]  # type: ignore[type-arg]
        me = await client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {data['accessToken']['token']}"}
        )
        assert me.status_code == 200, me.text
        return data


async def test_migrate_builds_the_schema(workdir: Path, environment: dict[str, str]) -> None:
    result = await run_cli(environment, workdir, "migrate")
    assert result.exit_code == 0, result.output
    assert "Database is at the newest schema revision" in result.stdout
    assert await _count_users(workdir) == 0
    again = await run_cli(environment, workdir, "migrate")
    assert again.exit_code == 0, again.output


async def test_create_admin_then_sign_in_as_admin(
    workdir: Path, environment: dict[str, str]
) -> None:
    result = await run_cli(
        environment,
        workdir,
        "create-admin",
        "--phone",
        "+20 100 000 0001",
        "--password",
        ADMIN_PASSWORD,
        "--email",
        "Boss@Example.com",
    )
    assert result.exit_code == 0, result.output
    created = CREATED.search(result.stdout)
    assert created, result.stdout
    assert ADMIN_PASSWORD not in result.output

    data = await _login(workdir, ADMIN_PHONE, ADMIN_PASSWORD)
    user = data["user"]
    assert user["id"] == created.group(1)
    assert user["roles"] == ["ADMIN"]
    assert user["phone"] == ADMIN_PHONE
    assert user["email"] == "boss@example.com"
    assert user["name"] == "Administrator"
    by_email = await _login(workdir, "boss@example.com", ADMIN_PASSWORD)
    assert by_email["user"]["id"] == created.group(1)


async def test_weak_password_is_refused_and_creates_nothing(
    workdir: Path, environment: dict[str, str]
) -> None:
    assert (await run_cli(environment, workdir, "migrate")).exit_code == 0
    result = await run_cli(
        environment, workdir, "create-admin", "--phone", ADMIN_PHONE, "--password", "password"
    )
    assert result.exit_code == 2
    assert "Password must be 8-256 characters" in result.stderr
    assert "Admin" not in result.stdout
    assert await _count_users(workdir) == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--phone", "12345"], "Invalid phone number format"),
        (["--phone", ADMIN_PHONE, "--email", "not-an-email"], "Invalid email address"),
        (["--phone", ADMIN_PHONE, "--name", "Abe"], "Name must be 5-30 characters"),
    ],
    ids=["phone", "email", "name"],
)
async def test_invalid_input_exits_2_with_a_clear_message(
    workdir: Path, environment: dict[str, str], extra: list[str], message: str
) -> None:
    result = await run_cli(
        environment, workdir, "create-admin", "--password", ADMIN_PASSWORD, *extra
    )
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert ADMIN_PASSWORD not in result.output


async def test_existing_user_is_promoted_not_duplicated(
    workdir: Path, environment: dict[str, str]
) -> None:
    assert (await run_cli(environment, workdir, "migrate")).exit_code == 0
    async with standalone_app(make_settings(sqlite_url(workdir), workdir)) as (_, client):
        registered = await client.post(
            "/api/v1/auth/register",
            json={"provider": ADMIN_PHONE, "password": "Old!Passw0rd", "name": "Existing Person"},
        )
    assert registered.status_code == 201, registered.text
    user_id = registered.json()["data"]["user"]["id"]

    result = await run_cli(
        environment, workdir, "create-admin", "--phone", ADMIN_PHONE, "--password", ADMIN_PASSWORD
    )
    assert result.exit_code == 0, result.output
    promoted = PROMOTED.search(result.stdout)
    assert promoted, result.stdout
    assert promoted.group(1) == user_id
    assert await _count_users(workdir) == 1

    data = await _login(workdir, ADMIN_PHONE, ADMIN_PASSWORD)
    assert data["user"]["id"] == user_id
    assert sorted(data["user"]["roles"]) == ["ADMIN", "CUSTOMER"]
    assert data["user"]["name"] == "Existing Person"
    async with standalone_app(make_settings(sqlite_url(workdir), workdir)) as (_, client):
        old_password = await client.post(
            "/api/v1/auth/login", json={"provider": ADMIN_PHONE, "password": "Old!Passw0rd"}
        )
    assert_error(old_password, 401, "Invalid credentials")

    settings = make_settings(sqlite_url(workdir), workdir)
    async with standalone_app(settings) as (app, _), app.state.sessionmaker() as session:
        [entry] = (
            await session.execute(
                select(AuditEntry).where(AuditEntry.action == "user.roles.changed")
            )
        ).scalars()
    assert (entry.actor_type, entry.resource_id) == ("system", user_id)
    assert entry.changes == {
        "roles": {"before": ["CUSTOMER"], "after": ["ADMIN", "CUSTOMER"]},
        "password": {"before": "[changed]", "after": "[changed]"},
    }
    assert ADMIN_PASSWORD not in str(entry.changes)


async def test_email_of_another_user_is_refused(workdir: Path, environment: dict[str, str]) -> None:
    first = await run_cli(
        environment,
        workdir,
        "create-admin",
        "--phone",
        ADMIN_PHONE,
        "--password",
        ADMIN_PASSWORD,
        "--email",
        "boss@example.com",
    )
    assert first.exit_code == 0, first.output
    second = await run_cli(
        environment,
        workdir,
        "create-admin",
        "--phone",
        "+201000000002",
        "--password",
        ADMIN_PASSWORD,
        "--email",
        "boss@example.com",
    )
    assert second.exit_code == 2
    assert "User with this email already exists" in second.stderr
    assert await _count_users(workdir) == 1


async def test_production_refuses_to_run_without_a_real_secret(workdir: Path) -> None:
    environment = cli_environment(workdir, FITCOACH_ENV="production")
    result = await run_cli(environment, workdir, "migrate")
    assert result.exit_code == 2
    assert "FITCOACH_JWT_SECRET" in result.stderr
    assert not (workdir / "fitcoach.db").exists()
