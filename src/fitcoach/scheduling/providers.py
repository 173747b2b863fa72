"""Where an online session's join link comes from: a video-link provider behind one interface.
The local default needs no account: a room on a Jitsi-style server (`video_link_base_url`)
named by an unguessable id, which such servers open on first join."""

from __future__ import annotations

import secrets
import uuid
from typing import Protocol

from fitcoach.config import Settings


class VideoLinkProvider(Protocol):
    async def room_for(self, session_id: uuid.UUID) -> str:
        """A join link for the session's participants."""


class LocalVideoLinks:
    def __init__(self, base_url: str) -> None:
        self._base_url = base_url.rstrip("/")

    async def room_for(self, session_id: uuid.UUID) -> str:
        return f"{self._base_url}/fitcoach-{session_id.hex[:12]}-{secrets.token_urlsafe(12)}"


def create_video_link_provider(settings: Settings) -> VideoLinkProvider:
    return LocalVideoLinks(settings.video_link_base_url)
