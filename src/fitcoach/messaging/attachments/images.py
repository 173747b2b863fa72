"""Images as they are served: decoded and encoded again without their metadata (EXIF, with its
location), turned upright first; and a small thumbnail."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_SIZE = (320, 320)
# Pillow refuses images above this many pixels (decompression bombs).
Image.MAX_IMAGE_PIXELS = 50_000_000
_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    thumbnail: bytes


def without_metadata(data: bytes, content_type: str) -> CleanImage | None:
    """The image without metadata, and its JPEG thumbnail; None for a format not re-encoded
    here or an image Pillow cannot read (served as uploaded, without a thumbnail)."""
    target = _FORMATS.get(content_type)
    if target is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            upright = ImageOps.exif_transpose(opened)
            stripped = io.BytesIO()
            # A new image from the pixels alone: nothing of the original's info travels.
            converted = upright.convert("RGB" if target == "JPEG" else "RGBA")
            pixels = Image.frombytes(converted.mode, converted.size, converted.tobytes())
            pixels.save(stripped, format=target)
            small = upright.convert("RGB")
            small.thumbnail(THUMBNAIL_SIZE)
            thumbnail = io.BytesIO()
            small.save(thumbnail, format="JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    return CleanImage(data=stripped.getvalue(), thumbnail=thumbnail.getvalue())
