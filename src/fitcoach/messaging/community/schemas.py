from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import distinct, label
from fitcoach.messaging.community.policy import CommunityPolicy
from fitcoach.messaging.community.service import (
    CommunityDraft,
    ModerationAction,
    PostDraft,
    PostState,
    PostView,
    ReactionType,
    ReportReason,
)
from fitcoach.models import Community, CommunityComment, CommunityPost

POST_MAX = 5_000
COMMENT_MAX = 2_000
MAX_ATTACHMENTS = 10
_EXAMPLE_ID = "6a0c4f3e-2b1d-4c5e-9f80-1a2b3c4d5e6f"


class CommunityIn(StrictApiModel):
    """Without productId the community is open to every customer; with it, it is that
    program's cohort (its customers with a paid subscription), moderated by its coach."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Spring strength cohort", "productId": _EXAMPLE_ID}]
        }
    )

    name: Annotated[str, label(120)]
    product_id: uuid.UUID | None = None

    def to_draft(self) -> CommunityDraft:
        return CommunityDraft(name=self.name, product_id=self.product_id)


class CommunityOut(ApiModel):
    id: uuid.UUID
    name: str
    kind: Literal["program", "open"]
    product_id: uuid.UUID | None
    coach_id: uuid.UUID | None = Field(description="The coach who moderates it, besides admins")
    member: bool = Field(description="Whether the caller has joined it")

    @classmethod
    def of(cls, community: Community, member: bool) -> CommunityOut:
        return cls(
            id=community.id,
            name=community.name,
            kind="program" if community.product_id else "open",
            product_id=community.product_id,
            coach_id=community.coach_id,
            member=member,
        )


class PostIn(StrictApiModel):
    """A post by a member (or a moderator). A post with words or links the admins' filter
    holds awaits review (state "held") and only its author and the moderators see it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"communityId": _EXAMPLE_ID, "body": "Finished week 3!", "attachments": []}
            ]
        }
    )

    community_id: uuid.UUID
    body: Annotated[str, label(POST_MAX)]
    attachments: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS,
        description="Ids of your uploaded files that passed their scan and are not used yet",
    )

    never_null = frozenset({"attachments"})

    def to_draft(self) -> PostDraft:
        return PostDraft(
            community_id=self.community_id, body=self.body, attachments=distinct(self.attachments)
        )


class AuthorOut(ApiModel):
    id: uuid.UUID
    name: str


class ReactionsOut(ApiModel):
    counts: dict[ReactionType, int] = Field(description="How many of each reaction type")
    total: int
    mine: list[ReactionType] = Field(description="The caller's own reactions")


class ModerationOut(ApiModel):
    count: int = Field(description="Reports received")
    reasons: dict[ReportReason, int] = Field(description="Reports per reason")
    state: PostState
    held_for: Literal["reports", "filter"] | None = Field(
        description="Why a held post awaits review"
    )


class PostOut(ApiModel):
    id: uuid.UUID
    community_id: uuid.UUID
    author: AuthorOut
    body: str
    attachments: list[uuid.UUID]
    pinned: bool
    state: PostState = Field(description="published, held (awaiting review) or hidden")
    comment_count: int
    reactions: ReactionsOut
    moderation: ModerationOut | None = Field(description="Moderators only; null for others")
    created_at: datetime

    @classmethod
    def of(cls, view: PostView) -> PostOut:
        post = view.post
        flags = view.flags
        return cls(
            id=post.id,
            community_id=post.community_id,
            author=AuthorOut(id=post.author_id, name=view.author_name),
            body=post.body,
            attachments=[uuid.UUID(one) for one in post.attachments],
            pinned=post.pinned,
            state=PostState(post.state),
            comment_count=post.comment_count,
            reactions=reactions_of(view),
            moderation=ModerationOut(
                count=flags.count,
                reasons={ReportReason(key): value for key, value in flags.reasons.items()},
                state=PostState(flags.state),
                held_for=flags.held_for,
            )
            if flags is not None
            else None,
            created_at=post.created_at,
        )


def reactions_of(view: PostView) -> ReactionsOut:
    return ReactionsOut(
        counts={ReactionType(key): value for key, value in view.reactions.items()},
        total=view.post.reaction_count,
        mine=[ReactionType(one) for one in sorted(view.mine)],
    )


class PostReactionsOut(ApiModel):
    post_id: uuid.UUID
    reactions: ReactionsOut

    @classmethod
    def of(cls, view: PostView) -> PostReactionsOut:
        return cls(post_id=view.post.id, reactions=reactions_of(view))


class CommentIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"body": "Great work!"}]})

    body: Annotated[str, label(COMMENT_MAX)]


class CommentOut(ApiModel):
    id: uuid.UUID
    post_id: uuid.UUID
    author: AuthorOut
    body: str
    created_at: datetime

    @classmethod
    def of(cls, comment: CommunityComment, author_name: str) -> CommentOut:
        return cls(
            id=comment.id,
            post_id=comment.post_id,
            author=AuthorOut(id=comment.author_id, name=author_name),
            body=comment.body,
            created_at=comment.created_at,
        )


class ReportIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "spam", "details": "Selling supplements"}]}
    )

    reason: ReportReason
    details: Annotated[str, label(500)] | None = None


class ReportOut(ApiModel):
    post_id: uuid.UUID
    reason: ReportReason

    @classmethod
    def of(cls, post: CommunityPost, reason: ReportReason) -> ReportOut:
        return cls(post_id=post.id, reason=reason)


class ModerationIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"action": "hide"}]})

    action: ModerationAction = Field(
        description="hide; restore (publish again, answering the reports so far); pin; unpin"
    )


class CommunityPolicyIn(StrictApiModel):
    """What holds a post for review: reports past the threshold, a blocked word (whole words,
    any case), or, with holdLinks, a link to a host outside allowedLinkDomains."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reportThreshold": 3,
                    "blockedWords": ["steroids"],
                    "holdLinks": True,
                    "allowedLinkDomains": ["youtube.com"],
                }
            ]
        }
    )

    report_threshold: int = Field(ge=1, le=1_000)
    blocked_words: list[Annotated[str, label(60)]] = Field(max_length=500)
    hold_links: bool
    allowed_link_domains: list[Annotated[str, label(253), Field(pattern=r"^[A-Za-z0-9.-]+$")]] = (
        Field(max_length=200)
    )

    def to_policy(self) -> CommunityPolicy:
        return CommunityPolicy(
            report_threshold=self.report_threshold,
            blocked_words=tuple(distinct(self.blocked_words)),
            hold_links=self.hold_links,
            allowed_link_domains=tuple(
                distinct([one.lower() for one in self.allowed_link_domains])
            ),
        )


class CommunityPolicyOut(ApiModel):
    report_threshold: int = Field(description="Reports (since the last review) that hold a post")
    blocked_words: list[str]
    hold_links: bool
    allowed_link_domains: list[str]

    @classmethod
    def of(cls, policy: CommunityPolicy) -> CommunityPolicyOut:
        return cls(
            report_threshold=policy.report_threshold,
            blocked_words=list(policy.blocked_words),
            hold_links=policy.hold_links,
            allowed_link_domains=list(policy.allowed_link_domains),
        )
