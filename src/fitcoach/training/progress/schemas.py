"""Progress entries and adherence on the wire."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.fields import NOT_NULL, of_kind
from fitcoach.training.exercises.schemas import MediaUrl
from fitcoach.training.progress.service import EntryDraft


class EntryKind(StrEnum):
    body_weight = "body_weight"
    body_fat = "body_fat"
    girth = "girth"
    photo = "photo"


# The units each kind is measured in; a photo has none.
UNITS: dict[EntryKind, tuple[str, ...]] = {
    EntryKind.body_weight: ("kg", "lb"),
    EntryKind.body_fat: ("%",),
    EntryKind.girth: ("cm", "in"),
    EntryKind.photo: (),
}
GirthSite = Literal["neck", "chest", "waist", "hips", "arm", "thigh", "calf"]


class EntryIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "body_weight",
                    "value": 74.5,
                    "unit": "kg",
                    "measuredAt": "2026-12-07T07:30:00.000Z",
                }
            ],
            # The unit (and site) each kind is measured in; a photo is its link alone.
            "oneOf": [
                *[
                    of_kind(
                        kind,
                        value=NOT_NULL,
                        unit={"enum": list(units)},
                        site=NOT_NULL if kind is EntryKind.girth else {"type": "null"},
                        required=["value", "unit", "site"]
                        if kind is EntryKind.girth
                        else ["value", "unit"],
                    )
                    for kind, units in UNITS.items()
                    if kind is not EntryKind.photo
                ],
                of_kind(
                    EntryKind.photo,
                    photoUrl=NOT_NULL,
                    value={"type": "null"},
                    unit={"type": "null"},
                    site={"type": "null"},
                    required=["photoUrl"],
                ),
            ],
        }
    )

    customer_id: uuid.UUID | None = Field(
        default=None, description="Whose entry (a coach for their client); default: yourself"
    )
    kind: EntryKind
    value: Annotated[float, Field(gt=0, le=1000)] | None = None
    unit: str | None = None
    site: GirthSite | None = Field(default=None, description="Where a girth was measured")
    photo_url: MediaUrl | None = None
    measured_at: datetime

    @model_validator(mode="after")
    def _fits_kind(self) -> Self:
        units = UNITS[self.kind]
        if self.kind is EntryKind.photo:
            if self.photo_url is None or self.value is not None or self.unit is not None:
                raise ValueError("a photo entry has a photoUrl and no value or unit")
        elif self.value is None or self.unit not in units:
            raise ValueError(f"a {self.kind.value} entry needs a value in {' or '.join(units)}")
        if (self.kind is EntryKind.girth) != (self.site is not None):
            raise ValueError("site is required for a girth, and only for a girth")
        if self.measured_at.tzinfo is None:
            raise ValueError("measuredAt needs a time zone offset")
        return self

    def to_draft(self) -> EntryDraft:
        return EntryDraft(
            customer_id=self.customer_id,
            kind=self.kind.value,
            value=self.value,
            unit=self.unit,
            site=self.site,
            photo_url=self.photo_url,
            measured_at=self.measured_at,
        )


class EntryOut(ApiModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    kind: EntryKind
    value: float | None
    unit: str | None
    site: str | None
    photo_url: str | None
    measured_at: datetime
    recorded_by_id: uuid.UUID | None


class ShareOut(ApiModel):
    scheduled: int
    completed: int
    share: float = Field(description="completed / scheduled, 0 when nothing was scheduled")


class AdherenceDayOut(ShareOut):
    date: date


class AdherenceOut(ApiModel):
    customer_id: uuid.UUID
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    overall: ShareOut
    days: list[AdherenceDayOut]
    by_item_type: dict[str, ShareOut]
