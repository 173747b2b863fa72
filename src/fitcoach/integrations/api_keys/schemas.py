"""API keys on the wire: the request to issue one, the key shown once, the listed key."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field

from fitcoach.access.api_keys import ApiScope
from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import distinct, label
from fitcoach.integrations.api_keys.service import ApiKeyDraft, IssuedApiKey, ListedApiKey
from fitcoach.models import ApiKey

MAX_RATE_LIMIT = 10_000
# A week: enough for a partner to roll a new secret out; longer would keep a leaked one alive.
MAX_OVERLAP_MINUTES = 7 * 24 * 60


class ApiKeyIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "CRM sync", "rateLimit": 120, "scopes": ["customers:read"]},
            ]
        }
    )

    name: Annotated[str, label(120)] = Field(description="What the key is for, shown in lists")
    rate_limit: int = Field(
        ge=1, le=MAX_RATE_LIMIT, description="Requests per minute the key may make"
    )
    scopes: Annotated[list[ApiScope], AfterValidator(distinct)] = Field(
        min_length=1, description="What the key may do; every other endpoint refuses it"
    )

    def to_draft(self) -> ApiKeyDraft:
        return ApiKeyDraft(name=self.name, rate_limit=self.rate_limit, scopes=tuple(self.scopes))


class RotateIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"overlapMinutes": 60}]})

    overlap_minutes: int = Field(
        default=60,
        ge=0,
        le=MAX_OVERLAP_MINUTES,
        description="How long the replaced secret keeps working (0: it stops at once)",
    )

    @property
    def overlap(self) -> timedelta:
        return timedelta(minutes=self.overlap_minutes)


class ApiKeyOut(ApiModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's public start, to recognise it")
    scopes: list[str]
    rate_limit: int = Field(description="Requests per minute")
    status: Literal["active", "revoked"]
    created_by: uuid.UUID | None
    created_by_name: str | None
    created_at: datetime
    last_used_at: datetime | None = Field(description="Accurate to about a minute")
    rotated_at: datetime | None
    previous_valid_until: datetime | None = Field(
        description="Until when the secret replaced by the last rotation still works"
    )
    revoked_at: datetime | None

    @classmethod
    def of(cls, record: ApiKey, created_by_name: str | None = None) -> ApiKeyOut:
        return cls(
            id=record.id,
            name=record.name,
            prefix=record.prefix,
            scopes=list(record.scopes),
            rate_limit=record.rate_limit,
            status="revoked" if record.revoked_at else "active",
            created_by=record.created_by_id,
            created_by_name=created_by_name,
            created_at=record.created_at,
            last_used_at=record.last_used_at,
            rotated_at=record.rotated_at,
            previous_valid_until=record.previous_valid_until,
            revoked_at=record.revoked_at,
        )

    @classmethod
    def listed(cls, listed: ListedApiKey) -> ApiKeyOut:
        return cls.of(listed.record, listed.created_by_name)


class IssuedApiKeyOut(ApiKeyOut):
    key: str = Field(
        description="The API key: shown this once, never again. Send it as "
        "`Authorization: Bearer <key>`"
    )

    @classmethod
    def issued(cls, issued: IssuedApiKey, created_by_name: str | None) -> IssuedApiKeyOut:
        return cls(**ApiKeyOut.of(issued.record, created_by_name).model_dump(), key=issued.key)
