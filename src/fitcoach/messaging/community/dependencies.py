"""The post list's community, order and filter, parsed from the query string."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query

from fitcoach.messaging.community.service import PostFilter, PostListing, PostSort


async def _post_listing(
    community_id: Annotated[
        uuid.UUID, Query(alias="communityId", description="The community whose posts to list")
    ],
    sort: Annotated[
        PostSort,
        Query(
            description="new: newest first; top: most reactions first; hot: log10(max(reactions "
            "+ 2 x comments, 1)) + createdAt epoch seconds / 45000, highest first"
        ),
    ] = PostSort.new,
    filter: Annotated[
        PostFilter | None,
        Query(
            description="mine: the caller's posts; media: with attachments; pinned; flagged "
            "(moderators only): reported, held or hidden"
        ),
    ] = None,
) -> PostListing:
    return PostListing(community_id=community_id, sort=sort, filter=filter)


PostListingDep = Annotated[PostListing, Depends(_post_listing)]
