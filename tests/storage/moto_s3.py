"""moto's S3 in server mode, on a free port, as a local stand-in for an S3-compatible store."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

REGION = "eu-central-1"
ACCESS_KEY = "AKIATESTFITCOACH0001"
SECRET_KEY = "fitcoach-test-secret-key-that-must-never-be-logged"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def make_bucket(endpoint: str, name: str) -> None:
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    ).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})


def list_keys(endpoint: str, bucket: str) -> list[str]:
    answer = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    ).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in answer.get("Contents", []))


def s3_settings(endpoint: str, bucket: str) -> dict[str, object]:
    return {
        "storage_backend": "s3",
        "storage_s3_bucket": bucket,
        "storage_s3_prefix": "fitcoach",
        "storage_s3_endpoint_url": endpoint,
        "storage_s3_region": REGION,
        "storage_s3_access_key_id": ACCESS_KEY,
        "storage_s3_secret_access_key": SECRET_KEY,
        "storage_s3_addressing_style": "path",
    }
