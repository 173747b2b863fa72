from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
)

from fitcoach.catalog.products.service import Addon, Included, ProductChanges, ProductDraft
from fitcoach.catalog.reviews.service import ReviewChanges
from fitcoach.http.envelope import HTTP_URL, ApiModel, StrictApiModel
from fitcoach.http.fields import distinct, http_url, label
from fitcoach.http.pagination import Page
from fitcoach.models import Product, ProductAddon
from fitcoach.models.enums import ProductStatus
from fitcoach.models.vocabulary import Goal, Level, RiskFlag

MAX_PRICE_MINOR = 1_000_000_000
MEDIA_URL_MESSAGE = "mediaUrls must be http or https URLs"

# Numbers are strict so that `true` or "12" is rejected instead of silently becoming 1 or 12.
PriceMinor = Annotated[
    int,
    Field(strict=True, ge=0, le=MAX_PRICE_MINOR, description="Integer minor units (cents)"),
]
Currency = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD", examples=["USD"])
]
DurationWeeks = Annotated[int, Field(strict=True, ge=1, le=104)]
Title = Annotated[str, label(120)]
Description = Annotated[str, Field(max_length=5000)]
Tag = Annotated[str, label(32)]
MediaUrl = Annotated[
    str, Field(max_length=2048, json_schema_extra=HTTP_URL), http_url(MEDIA_URL_MESSAGE)
]
Goals = Annotated[list[Goal], Field(min_length=1, max_length=len(Goal)), AfterValidator(distinct)]
Contraindications = Annotated[
    list[RiskFlag], Field(max_length=len(RiskFlag)), AfterValidator(distinct)
]
Tags = Annotated[list[Tag], Field(max_length=20), AfterValidator(distinct)]
MediaUrls = Annotated[list[MediaUrl], Field(max_length=20)]
ReviewText = Annotated[str, Field(max_length=2000)]
Rating = Annotated[int, Field(strict=True, ge=1, le=5)]


class IncludedIn(StrictApiModel):
    sessions_per_month: Annotated[int, Field(strict=True, ge=0, le=60)] = 0
    custom_training_plan: Annotated[bool, Field(strict=True)] = False
    custom_diet_plan: Annotated[bool, Field(strict=True)] = False
    chat_access: Annotated[bool, Field(strict=True)] = False

    def to_included(self) -> Included:
        return Included(
            sessions_per_month=self.sessions_per_month,
            custom_training_plan=self.custom_training_plan,
            custom_diet_plan=self.custom_diet_plan,
            chat_access=self.chat_access,
        )


class AddonIn(StrictApiModel):
    name: Title
    price: PriceMinor

    def to_addon(self) -> Addon:
        return Addon(name=self.name, price=self.price)


class ProductIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "12-week strength foundations",
                    "description": "Three full-body sessions a week.",
                    "goals": ["build_muscle"],
                    "durationWeeks": 12,
                    "price": 4900,
                    "currency": "USD",
                    "level": "beginner",
                    "included": {"sessionsPerMonth": 2, "customTrainingPlan": True},
                    "addons": [{"name": "Nutrition check-in", "price": 1500}],
                    "tags": ["strength"],
                }
            ]
        }
    )

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

    def to_draft(self) -> ProductDraft:
        return ProductDraft(coach_id=self.coach_id, **_product_fields(self))


class ProductUpdateIn(StrictApiModel):
    """Only the fields given change; lists given replace the stored list."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"price": 3900, "tags": ["strength", "sale"]}]}
    )

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

    never_null = frozenset(
        {
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
        }
    )

    def to_changes(self) -> ProductChanges:
        return ProductChanges(given=frozenset(self.model_fields_set), **_product_fields(self))


def _product_fields(body: ProductIn | ProductUpdateIn) -> dict[str, Any]:
    """The fields a new product and a change share, in the service's terms."""
    return {
        "title": body.title,
        "description": body.description,
        "goals": body.goals,
        "duration_weeks": body.duration_weeks,
        "price": body.price,
        "currency": body.currency,
        "level": body.level,
        "included": body.included.to_included() if body.included is not None else None,
        "addons": [addon.to_addon() for addon in body.addons] if body.addons is not None else None,
        "tags": body.tags,
        "contraindications": body.contraindications,
        "media_urls": body.media_urls,
    }


class ReviewIn(StrictApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"rating": 5, "text": "Clear plan, steady progress."}]}
    )

    rating: Rating
    text: ReviewText | None = None


class ReviewUpdateIn(StrictApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"rating": 4}]})

    rating: Rating | None = None
    text: ReviewText | None = Field(default=None, description="null clears it")

    never_null = frozenset({"rating"})

    def to_changes(self) -> ReviewChanges:
        return ReviewChanges(
            given=frozenset(self.model_fields_set), rating=self.rating, text=self.text
        )


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
    def fields_of(product: Product, coach: CoachOut) -> dict[str, object]:
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
        cls, product: Product, coach: CoachOut, testimonials: list[TestimonialOut]
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
