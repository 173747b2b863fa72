"""Files in an S3-compatible bucket (AWS S3, MinIO, Ceph...) through aiobotocore: one client,
opened on first use and closed with the app, its keys under the area's prefix."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from fitcoach.config import Settings
from fitcoach.storage.errors import StorageUnavailable

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

# S3 answers these for a key that is not there (GetObject: NoSuchKey; HEAD-like paths: 404).
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


@dataclass(frozen=True)
class S3Location:
    """The bucket, the prefix of one area, and how to reach it. The keys are held as
    SecretStr by the settings and only unwrapped when the client is made, so no repr or log
    line shows them."""

    bucket: str
    prefix: str
    settings: Settings

    @classmethod
    def of(cls, settings: Settings, area: str) -> S3Location:
        if not settings.storage_s3_bucket:
            raise ValueError("FITCOACH_STORAGE_S3_BUCKET is required with the s3 backend")
        base = settings.storage_s3_prefix.strip("/")
        prefix = f"{base}/{area}" if base else area
        return cls(bucket=settings.storage_s3_bucket, prefix=prefix, settings=settings)

    def client_arguments(self) -> dict[str, Any]:
        settings = self.settings
        arguments: dict[str, Any] = {
            "region_name": settings.storage_s3_region,
            "endpoint_url": settings.storage_s3_endpoint_url,
            "config": AioConfig(
                connect_timeout=settings.storage_s3_timeout_seconds,
                read_timeout=settings.storage_s3_timeout_seconds,
                retries={"max_attempts": 3, "mode": "standard"},
                s3={"addressing_style": settings.storage_s3_addressing_style},
            ),
        }
        # Without keys botocore finds credentials its usual way (environment, instance role).
        if settings.storage_s3_access_key_id and settings.storage_s3_secret_access_key:
            arguments["aws_access_key_id"] = settings.storage_s3_access_key_id.get_secret_value()
            arguments["aws_secret_access_key"] = (
                settings.storage_s3_secret_access_key.get_secret_value()
            )
        return arguments


class S3FileStorage:
    def __init__(self, location: S3Location) -> None:
        self.location = location
        self._exit_stack: AsyncExitStack | None = None
        self._client: S3Client | None = None
        self._opening = asyncio.Lock()

    def _key(self, key: str) -> str:
        return f"{self.location.prefix}/{key}"

    async def _open(self) -> S3Client:
        if self._client is not None:
            return self._client
        async with self._opening:
            if self._client is None:
                stack = AsyncExitStack()
                creator = get_session().create_client("s3", **self.location.client_arguments())
                self._client = await stack.enter_async_context(creator)
                self._exit_stack = stack
            return self._client

    async def put(self, key: str, data: bytes) -> None:
        client = await self._open()
        try:
            await client.put_object(Bucket=self.location.bucket, Key=self._key(key), Body=data)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable() from exc

    async def get(self, key: str) -> bytes | None:
        client = await self._open()
        try:
            answer = await client.get_object(Bucket=self.location.bucket, Key=self._key(key))
            async with answer["Body"] as body:
                data: bytes = await body.read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise StorageUnavailable() from exc
        except BotoCoreError as exc:
            raise StorageUnavailable() from exc
        return data

    async def delete(self, key: str) -> None:
        # S3 answers a delete of a missing key with success, as the local store does.
        client = await self._open()
        try:
            await client.delete_object(Bucket=self.location.bucket, Key=self._key(key))
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable() from exc

    async def aclose(self) -> None:
        if self._exit_stack is not None:
            await self._exit_stack.aclose()
        self._exit_stack, self._client = None, None
