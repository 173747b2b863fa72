"""S3-compatible storage against moto's S3 server: files put, read and deleted under each area's
prefix; an unreachable store answers 503; the keys stay out of every repr and log line; and an
attachment goes upload -> scan (a real clamd) -> download through the API with S3 configured,
an infected one leaving nothing in the bucket."""

from __future__ import annotations

import logging
import uuid

import httpx
import pytest
from fastapi import FastAPI

from fitcoach.config import Settings, load_settings
from fitcoach.storage import StorageUnavailable, create_file_storage
from fitcoach.storage.s3 import S3FileStorage
from tests.factories import Factory, assert_error
from tests.messaging.clamd import clamd_port  # noqa: F401 - the fixture
from tests.messaging.files import INFECTED_PDF, PDF, upload
from tests.storage.moto_s3 import (
    SECRET_KEY,
    list_keys,
    make_bucket,
    s3_endpoint,  # noqa: F401 - the fixture
    s3_settings,
)


def _settings(endpoint: str, bucket: str, **extra: object) -> Settings:
    return load_settings(_env_file=None, env="test", **{**s3_settings(endpoint, bucket), **extra})


@pytest.fixture
def bucket(s3_endpoint: str) -> str:  # noqa: F811
    name = f"fitcoach-{uuid.uuid4().hex[:12]}"
    make_bucket(s3_endpoint, name)
    return name


async def test_files_are_put_read_and_deleted_under_their_area(
    s3_endpoint: str,  # noqa: F811
    bucket: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = _settings(s3_endpoint, bucket)
    attachments = create_file_storage(settings, "attachments")
    exports = create_file_storage(settings, "exports")
    assert isinstance(attachments, S3FileStorage)
    try:
        await attachments.put("files/one", b"first")
        await exports.put("files/one", b"other area")
        assert await attachments.get("files/one") == b"first"
        assert await exports.get("files/one") == b"other area"
        assert list_keys(s3_endpoint, bucket) == [
            "fitcoach/attachments/files/one",
            "fitcoach/exports/files/one",
        ]
        await attachments.put("files/one", b"replaced")
        assert await attachments.get("files/one") == b"replaced"
        await attachments.delete("files/one")
        assert await attachments.get("files/one") is None
        # Deleting what is not there succeeds, as on the local store.
        await attachments.delete("files/one")
        assert list_keys(s3_endpoint, bucket) == ["fitcoach/exports/files/one"]
    finally:
        await attachments.aclose()
        await exports.aclose()
    assert SECRET_KEY not in repr(settings)
    assert SECRET_KEY not in repr(attachments.location)
    assert SECRET_KEY not in caplog.text


async def test_a_store_that_refuses_is_unavailable_not_a_crash(
    s3_endpoint: str,  # noqa: F811
) -> None:
    missing_bucket = create_file_storage(_settings(s3_endpoint, "no-such-bucket"), "attachments")
    try:
        with pytest.raises(StorageUnavailable):
            await missing_bucket.put("files/one", b"data")
    finally:
        await missing_bucket.aclose()


def test_s3_needs_a_bucket_and_both_keys() -> None:
    with pytest.raises(ValueError, match="FITCOACH_STORAGE_S3_BUCKET"):
        load_settings(_env_file=None, storage_backend="s3")
    with pytest.raises(ValueError, match="go together"):
        load_settings(_env_file=None, storage_s3_bucket="b", storage_s3_access_key_id="AKIAONLYONE")


@pytest.fixture
def settings_overrides(
    s3_endpoint: str,  # noqa: F811
    bucket: str,
    clamd_port: int,  # noqa: F811
) -> dict[str, object]:
    return {**s3_settings(s3_endpoint, bucket), "clamd_host": "127.0.0.1", "clamd_port": clamd_port}


async def test_an_attachment_is_scanned_kept_in_s3_and_downloaded(
    app: FastAPI,
    client: httpx.AsyncClient,
    factory: Factory,
    s3_endpoint: str,  # noqa: F811
    bucket: str,
) -> None:
    owner = await factory.customer()
    infected = await upload(client, owner, INFECTED_PDF, name="invoice.pdf")
    assert_error(infected, 422, code="infected_file")
    # The quarantined copy went with the rejection.
    assert list_keys(s3_endpoint, bucket) == []
    response = await upload(client, owner, PDF, name="plan.pdf")
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["status"] == "clean"
    assert list_keys(s3_endpoint, bucket) == [f"fitcoach/attachments/files/{data['id']}"]
    link = await client.get(f"/api/v1/attachments/{data['id']}", headers=owner.headers)
    assert link.status_code == 200, link.text
    served = await client.get(link.json()["data"]["url"])
    assert served.status_code == 200
    assert served.content == PDF
