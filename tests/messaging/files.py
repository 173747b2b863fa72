"""Files the attachment tests upload: an image carrying an EXIF location, a PDF, and one that
carries the EICAR test signature."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

from tests.factories import Account
from tests.messaging.clamd import EICAR

GPS_IFD = 0x8825
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
INFECTED_PDF = PDF + EICAR + b"\n"


def jpeg_with_location() -> bytes:
    image = Image.new("RGB", (640, 480), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "FitCam"
    exif.get_ifd(GPS_IFD)[2] = (30.0, 2.0, 40.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def exif_of(data: bytes) -> dict[int, Any]:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif())


async def upload(
    client: httpx.AsyncClient, account: Account, data: bytes, name: str = "file.bin"
) -> httpx.Response:
    return await client.post(
        "/api/v1/attachments",
        files={"file": (name, data, "application/octet-stream")},
        headers=account.headers,
    )
