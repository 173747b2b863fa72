from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from fitcoach.catalog.repository import PublishedProduct
from fitcoach.http.envelope import ApiModel, StrictApiModel
from fitcoach.http.pagination import Page
from fitcoach.models import Product, ProductAddon
from fitcoach.models.vocabulary import Goal, Level, RiskFlag

MAX_PRICE_MINOR = 1_000_000_000
MEDIA_URL_MESSAGE = "mediaUrls must be http or https URLs"

_http_url = TypeAdapter(HttpUrl)


def _check_media_url(value: str) -> str:
    """Validated as an http(s) URL but stored as sent, so clients get back exactly their link."""
    try:
        _http_url.validate_python(value)
    except ValidationError as exc:
        raise ValueError(MEDIA_URL_MESSAGE) from exc
    return value


def _label(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


def _distinct(values: list[str]) -> list[str]:
    """Repeated entries are dropped, keeping the first occurrence's position."""
    return list(dict.fromkeys(values))


# Numbers are strict so that `true` or "12" is rejected instead of silently becoming 1 or 12.
PriceMinor = Annotated[
    int,
    Field(strict=True, ge=0, le=MAX_PRICE_MINOR, description="Integer minor units (cents)"),
]
Currency = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD", examples=["USD"])
]
DurationWeeks = Annotated[int, Field(strict=True, ge=1, le=104)]
Title = Annotated[str, _label(120)]
Description = Annotated[str, Field(max_length=5000)]
Tag = Annotated[str, _label(32)]
MediaUrl = Annotated[str, Field(max_length=2048), AfterValidator(_check_media_url)]
Goals = Annotated[list[Goal], Field(min_length=1, max_length=len(Goal)), AfterValidator(_distinct)]
Contraindications = Annotated[
    list[RiskFlag], Field(max_length=len(RiskFlag)), AfterValidator(_distinct)
]
Tags = Annotated[list[Tag], Field(max_length=20), AfterValidator(_distinct)]
MediaUrls = Annotated[list[MediaUrl], Field(max_length=20)]
ReviewText = Annotated[str, Field(max_length=2000)]
Rating = Annotated[int, Field(strict=True, ge=1, le=5)]


class IncludedIn(StrictApiModel):
    sessions_per_month: Annotated[int, Field(strict=True, ge=0, le=60)] = 0
    custom_training_plan: Annotated[bool, Field(strict=True)] = False
    custom_diet_plan: Annotated[bool, Field(strict=True)] = False
    chat_access: Annotated[bool, Field(strict=True)] = False


class AddonIn(StrictApiModel):
    name: Title
    price: PriceMinor


class ProductIn(StrictApiModel):
    title: Title
    description: Description | None = None
    goals: Goals
    duration_weeks: DurationWeeks
    price: PriceMinor
    currency: Currency
    level: Level
    coach_id: uuid.UUID | None = Field(
        default=None,
        description="The coach who leads it: required from an admin; a coach leads their own",
    )
    included: IncludedIn = Field(default_factory=IncludedIn)
    addons: list[AddonIn] = Field(default_factory=list, max_length=20)
    tags: Tags = Field(default_factory=list)
    contraindications: Contraindications = Field(
        default_factory=list, description="Risk flags the program is unsuitable for"
    )
    media_urls: MediaUrls = Field(default_factory=list)


class ProductUpdateIn(StrictApiModel):
    """Only the fields given change; lists given replace the stored list."""

    title: Title | None = None
    description: Description | None = Field(default=None, description="null clears it")
    goals: Goals | None = None
    duration_weeks: DurationWeeks | None = None
    price: PriceMinor | None = None
    currency: Currency | None = None
    level: Level | None = None
    included: IncludedIn | None = None
    addons: list[AddonIn] | None = Field(default=None, max_length=20)
    tags: Tags | None = None
    contraindications: Contraindications | None = None
    media_urls: MediaUrls | None = None

    @field_validator(
        "title",
        "goals",
        "duration_weeks",
        "price",
        "currency",
        "level",
        "included",
        "addons",
        "tags",
        "contraindications",
        "media_urls",
    )
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null")
        return value


class ReviewIn(StrictApiModel):
    rating: Rating
    text: ReviewText | None = None


class ReviewUpdateIn(StrictApiModel):
    rating: Rating | None = None
    text: ReviewText | None = Field(default=None, description="null clears it")

    @field_validator("rating")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("rating cannot be null")
        return value


class ProductStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


ProductSort = Literal["price", "-price", "rating", "newest", "popular"]


class IncludedOut(ApiModel):
    sessions_per_month: int
    custom_training_plan: bool
    custom_diet_plan: bool
    chat_access: bool


class RatingOut(ApiModel):
    average: float | None = Field(description="Of visible reviews, to 2 decimals; null: none")
    count: int

    @classmethod
    def of(cls, rating_sum: int, rating_count: int) -> RatingOut:
        average = round(rating_sum / rating_count, 2) if rating_count else None
        return cls(average=average, count=rating_count)


class CoachOut(ApiModel):
    id: uuid.UUID
    name: str
    rating: float | None = Field(
        description="Average of the visible reviews of all the coach's published products"
    )
    rating_count: int


class TestimonialOut(ApiModel):
    review_id: uuid.UUID
    rating: int
    text: str
    author_name: str
    created_at: datetime


class AddonOut(ApiModel):
    id: uuid.UUID
    name: str
    price: int

    @classmethod
    def of(cls, addon: ProductAddon) -> AddonOut:
        return cls(id=addon.id, name=addon.name, price=addon.price_minor)


class ReviewOut(ApiModel):
    id: uuid.UUID
    product_id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    rating: int
    text: str | None
    hidden: bool = Field(description="Hidden by an admin; only admins are shown hidden reviews")
    created_at: datetime
    updated_at: datetime


def price_per_week(price_minor: int, duration_weeks: int) -> int:
    """The weekly price in minor units, rounded half up to a whole minor unit."""
    return (2 * price_minor + duration_weeks) // (2 * duration_weeks)


class _ProductFields(ApiModel):
    id: uuid.UUID
    title: str
    description: str | None
    goals: list[Goal]
    duration_weeks: int
    price: int = Field(description="Integer minor units of currency")
    currency: str
    price_per_week: int = Field(description="price / durationWeeks, rounded half up")
    level: Level
    coach_id: uuid.UUID
    coach: CoachOut
    included: IncludedOut
    tags: list[str]
    media_urls: list[str]
    status: ProductStatus
    rating: RatingOut
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def fields_of(product: Product | PublishedProduct, coach: CoachOut) -> dict[str, object]:
        return {
            "id": product.id,
            "title": product.title,
            "description": product.description,
            "goals": [Goal(goal) for goal in product.goals],
            "duration_weeks": product.duration_weeks,
            "price": product.price_minor,
            "currency": product.currency,
            "price_per_week": price_per_week(product.price_minor, product.duration_weeks),
            "level": Level(product.level),
            "coach_id": product.coach_id,
            "coach": coach,
            "included": IncludedOut(
                sessions_per_month=product.sessions_per_month,
                custom_training_plan=product.custom_training_plan,
                custom_diet_plan=product.custom_diet_plan,
                chat_access=product.chat_access,
            ),
            "tags": list(product.tags),
            "media_urls": list(product.media_urls),
            "status": ProductStatus(product.status),
            "rating": RatingOut.of(product.rating_sum, product.rating_count),
            "published_at": product.published_at,
            "created_at": product.created_at,
            "updated_at": product.updated_at,
        }


class ProductSummaryOut(_ProductFields):
    """A list item: what an app needs to show products side by side."""

    testimonials: list[TestimonialOut] = Field(
        description="Up to 3 visible reviews with text: best rated, then newest"
    )

    @classmethod
    def of(
        cls,
        product: Product | PublishedProduct,
        coach: CoachOut,
        testimonials: list[TestimonialOut],
    ) -> ProductSummaryOut:
        return cls.model_validate({**cls.fields_of(product, coach), "testimonials": testimonials})


class ProductOut(_ProductFields):
    contraindications: list[RiskFlag]
    addons: list[AddonOut]

    @classmethod
    def of(cls, product: Product, coach: CoachOut) -> ProductOut:
        return cls.model_validate(
            {
                **cls.fields_of(product, coach),
                "contraindications": [RiskFlag(flag) for flag in product.contraindications],
                "addons": [AddonOut.of(addon) for addon in product.addons],
            }
        )


class ProductDetailOut(ProductOut):
    reviews: Page[ReviewOut] = Field(description="Newest first")
