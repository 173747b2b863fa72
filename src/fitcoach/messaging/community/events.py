"""The events community moderation publishes (automations and notifications may follow them)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from fitcoach.worker.events import DomainEvent


class PostReported(DomainEvent):
    """Someone reported a post; `report_count` counts every report it has had."""

    type: ClassVar[str] = "community.post_reported"

    community_id: uuid.UUID
    reason: str
    report_count: int


class PostHeld(DomainEvent):
    """A post awaits review: reported past the threshold, or caught by the word and link filter
    (`held_for`: reports or filter)."""

    type: ClassVar[str] = "community.post_held"

    community_id: uuid.UUID
    author_id: uuid.UUID
    held_for: str


class PostModerated(DomainEvent):
    """A moderator hid, restored, pinned or unpinned a post."""

    type: ClassVar[str] = "community.post_moderated"

    community_id: uuid.UUID
    action: str


class PostHidden(PostModerated):
    type: ClassVar[str] = "community.post_hidden"


class PostRestored(PostModerated):
    type: ClassVar[str] = "community.post_restored"


class PostPinned(PostModerated):
    """Pinned or unpinned (`action`)."""

    type: ClassVar[str] = "community.post_pinned"
