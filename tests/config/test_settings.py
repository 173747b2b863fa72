"""Start-up checks of the settings: production refuses a missing or default signing secret; in
development a random one is made once and kept, so a restart does not sign everyone out."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from fitcoach.config import Environment, Settings, load_settings
from tests.conftest import make_settings
from tests.standalone import standalone_app


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in os.environ:
        if key.startswith("FITCOACH_"):
            monkeypatch.delenv(key)
    return monkeypatch


@pytest.mark.parametrize(
    "secret",
    [None, "", "changethis", "CHANGETHIS", "secret", "short-but-random-Zq8"],
    ids=["missing", "empty", "changethis", "changethis-upper", "secret", "short"],
)
def test_production_refuses_a_weak_jwt_secret(
    clean_environment: pytest.MonkeyPatch, secret: str | None
) -> None:
    clean_environment.setenv("FITCOACH_ENV", "production")
    if secret is not None:
        clean_environment.setenv("FITCOACH_JWT_SECRET", secret)
    with pytest.raises(ValidationError, match="FITCOACH_JWT_SECRET"):
        load_settings(_env_file=None)


def test_production_accepts_a_long_random_secret(clean_environment: pytest.MonkeyPatch) -> None:
    secret = secrets.token_urlsafe(48)
    clean_environment.setenv("FITCOACH_ENV", "production")
    clean_environment.setenv("FITCOACH_JWT_SECRET", secret)
    clean_environment.setenv("FITCOACH_ALLOW_CONSOLE_SMS_IN_PRODUCTION", "true")
    clean_environment.setenv("FITCOACH_ALLOW_UNSCANNED_ATTACHMENTS_IN_PRODUCTION", "true")
    settings = load_settings(_env_file=None)
    assert settings.env is Environment.production
    assert settings.signing_secret == secret
    assert settings.logs_as_json


@pytest.mark.usefixtures("shared_database_emptied_afterwards")
async def test_development_secret_is_made_once_and_kept(database_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    secret_file = data_dir / "jwt_secret"

    def development_settings() -> Settings:
        return make_settings(database_url, data_dir, env="development", jwt_secret=None)

    async with standalone_app(development_settings()) as (_, first):
        generated = secret_file.read_text()
        registered = await first.post(
            "/api/v1/auth/register",
            json={"provider": "restart@example.com", "password": "Str0ng!Pass", "name": "Restart"},
        )
        assert registered.status_code == 201, registered.text
    token = registered.json()["data"]["accessToken"]["token"]

    assert len(generated) >= 32
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    async with standalone_app(development_settings()) as (restarted, second):
        assert secret_file.read_text() == generated
        assert restarted.state.settings.signing_secret == generated
        me = await second.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
