"""The settings scheduling works by, read once per request from the app's settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fitcoach.config import Settings
from fitcoach.scheduling.providers import VideoLinkProvider, create_video_link_provider


@dataclass(frozen=True)
class SchedulingPolicy:
    buffer_minutes: int
    join_link_visible: timedelta
    late_cancel: timedelta
    video_links: VideoLinkProvider

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)

    @classmethod
    def of(cls, settings: Settings) -> SchedulingPolicy:
        return cls(
            buffer_minutes=settings.session_buffer_minutes,
            join_link_visible=timedelta(minutes=settings.join_link_visible_minutes),
            late_cancel=timedelta(hours=settings.late_cancel_hours),
            video_links=create_video_link_provider(settings),
        )
