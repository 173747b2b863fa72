"""Catalog rules: who creates and changes which product and how its status moves (draft ->
published <-> archived), what browsing shows, customers' reviews and the review totals kept on
each product and on each coach (over their published products), and which published products
are recommended to a customer."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import audit_service, changes_between
from fitcoach.catalog.exceptions import (
    AlreadyReviewed,
    CoachesLeadTheirOwnProducts,
    CoachRequired,
    NotACoach,
    ProductAlreadyInStatus,
    ProductNotFound,
    ProductNotPublished,
    ReviewAlreadyInState,
    ReviewNotFound,
)
from fitcoach.catalog.repository import (
    PUBLISHED_PAGES,
    CoachStanding,
    ProductAccess,
    ProductFilter,
    PublishedProduct,
    Testimonial,
    products_repository,
    reviews_repository,
)
from fitcoach.catalog.schemas import (
    AddonIn,
    ProductIn,
    ProductStatus,
    ProductUpdateIn,
    ReviewIn,
    ReviewUpdateIn,
)
from fitcoach.core.errors import Forbidden
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor, Product, ProductAddon, ProductReview
from fitcoach.models.enums import Role
from fitcoach.models.vocabulary import Goal, Level, RiskFlag
from fitcoach.users.service import user_service

# Recommendation scores: each goal served outweighs every preference together.
GOAL_POINTS = 1000.0
PREFERENCE_POINTS = 100.0


@dataclass(frozen=True)
class ProductView:
    product: Product
    coach: CoachStanding


@dataclass(frozen=True)
class ProductCard:
    product: PublishedProduct
    coach: CoachStanding
    testimonials: tuple[Testimonial, ...]


T = TypeVar("T")


@dataclass(frozen=True)
class ProductListing:
    """A page of the published catalog; immutable, as the page cache shares it."""

    cards: tuple[ProductCard, ...]
    total: int


@dataclass(frozen=True)
class ReviewView:
    review: ProductReview
    author_name: str


@dataclass(frozen=True)
class ProductDetail:
    view: ProductView
    reviews: list[ReviewView]
    review_total: int


@dataclass(frozen=True)
class Recommendation:
    """A product picked for a customer; only the order of scores is meaningful."""

    product: Product
    score: float
    reason: str


def _addons(addons: Sequence[AddonIn]) -> list[ProductAddon]:
    return [
        ProductAddon(position=position, name=addon.name, price_minor=addon.price)
        for position, addon in enumerate(addons)
    ]


def _audited_fields(product: Product) -> dict[str, object]:
    fields: dict[str, object] = {
        "title": product.title,
        "description": product.description,
        "goals": list(product.goals),
        "durationWeeks": product.duration_weeks,
        "price": product.price_minor,
        "currency": product.currency,
        "level": product.level,
        "coachId": str(product.coach_id),
        "sessionsPerMonth": product.sessions_per_month,
        "customTrainingPlan": product.custom_training_plan,
        "customDietPlan": product.custom_diet_plan,
        "chatAccess": product.chat_access,
        "tags": list(product.tags),
        "contraindications": list(product.contraindications),
        "mediaUrls": list(product.media_urls),
        "status": product.status,
    }
    if "addons" not in inspect(product).unloaded:  # never load add-ons just for the trail
        fields["addons"] = [{"name": a.name, "price": a.price_minor} for a in product.addons]
    return fields


def _audited_review(review: ProductReview) -> dict[str, object]:
    return {
        "productId": str(review.product_id),
        "rating": review.rating,
        "text": review.text,
        "hidden": review.hidden,
    }


def _clean_text(text: str | None) -> str | None:
    """Blank text is no text, so a testimonial is never empty."""
    stripped = text.strip() if text is not None else None
    return stripped or None


class CatalogService:
    async def create(
        self, session: AsyncSession, actor: Actor, body: ProductIn, now: datetime
    ) -> ProductView:
        coach = await self._lead_coach(session, actor, body.coach_id)
        product = Product(
            title=body.title,
            description=body.description,
            goals=[goal.value for goal in body.goals],
            duration_weeks=body.duration_weeks,
            price_minor=body.price,
            currency=body.currency,
            level=body.level.value,
            coach_id=coach.id,
            sessions_per_month=body.included.sessions_per_month,
            custom_training_plan=body.included.custom_training_plan,
            custom_diet_plan=body.included.custom_diet_plan,
            chat_access=body.included.chat_access,
            tags=list(body.tags),
            contraindications=[flag.value for flag in body.contraindications],
            media_urls=list(body.media_urls),
            status=ProductStatus.draft.value,
            rating_count=0,
            rating_sum=0,
            rating_average=0.0,
            created_at=now,
            updated_at=now,
            addons=_addons(body.addons),
        )
        products_repository.add(session, product)
        await session.flush()
        await products_repository.replace_goals(session, product.id, product.goals)
        audit_service.record(
            session,
            action="catalog.product.created",
            resource_type="product",
            resource_id=product.id,
            changes=changes_between({}, _audited_fields(product)),
            now=now,
        )
        return await self._view(session, product)

    async def update(
        self,
        session: AsyncSession,
        actor: Actor,
        product_id: uuid.UUID,
        changes: ProductUpdateIn,
        now: datetime,
    ) -> ProductView:
        product = await self._writable(session, actor, product_id)
        before = _audited_fields(product)
        given = changes.model_fields_set
        if changes.title is not None:
            product.title = changes.title
        if "description" in given:
            product.description = changes.description
        if changes.goals is not None:
            product.goals = [goal.value for goal in changes.goals]
            await products_repository.replace_goals(session, product.id, product.goals)
        if changes.duration_weeks is not None:
            product.duration_weeks = changes.duration_weeks
        if changes.price is not None:
            product.price_minor = changes.price
        if changes.currency is not None:
            product.currency = changes.currency
        if changes.level is not None:
            product.level = changes.level.value
        if changes.included is not None:
            product.sessions_per_month = changes.included.sessions_per_month
            product.custom_training_plan = changes.included.custom_training_plan
            product.custom_diet_plan = changes.included.custom_diet_plan
            product.chat_access = changes.included.chat_access
        if changes.addons is not None:
            product.addons = _addons(changes.addons)
        if changes.tags is not None:
            product.tags = list(changes.tags)
        if changes.contraindications is not None:
            product.contraindications = [flag.value for flag in changes.contraindications]
        if changes.media_urls is not None:
            product.media_urls = list(changes.media_urls)
        if given:
            product.updated_at = now
            audit_service.record(
                session,
                action="catalog.product.updated",
                resource_type="product",
                resource_id=product.id,
                changes=changes_between(before, _audited_fields(product)),
                now=now,
            )
        await session.flush()
        return await self._view(session, product)

    async def publish(
        self, session: AsyncSession, actor: Actor, product_id: uuid.UUID, now: datetime
    ) -> ProductView:
        """A draft or archived product goes (back) on sale."""
        return await self._move(session, actor, product_id, ProductStatus.published, now)

    async def archive(
        self, session: AsyncSession, actor: Actor, product_id: uuid.UUID, now: datetime
    ) -> ProductView:
        """A draft or published product leaves the catalog; its reviews are kept."""
        return await self._move(session, actor, product_id, ProductStatus.archived, now)

    async def get(
        self, session: AsyncSession, actor: Actor, product_id: uuid.UUID, page: PageRequest
    ) -> ProductDetail:
        access = await self._readable(session, actor, product_id, with_addons=True)
        reviews, total = await reviews_repository.list_page(
            session, access.product.id, reviews_repository.readable_by(actor), page
        )
        names = await reviews_repository.author_names(
            session, {review.author_id for review in reviews}
        )
        return ProductDetail(
            view=await self._view(session, access.product),
            reviews=[ReviewView(review, names.get(review.author_id, "")) for review in reviews],
            review_total=total,
        )

    async def published_page(
        self,
        session: AsyncSession,
        where: ProductFilter,
        sort: str,
        page: PageRequest,
        count_limit: int,
        render: Callable[[ProductListing], T],
    ) -> T:
        """A page of the published catalog as `render` shapes it. The page itself is kept until
        anything in the catalog changes (every shopper is shown the same pages, and they seldom
        change); `render` runs on each request, so no caller holds a shared, mutable answer."""

        async def load() -> ProductListing:
            return await self.list_published(session, where, sort, page, count_limit)

        key = repr((where, sort, page.page, page.page_size, count_limit))
        listing: ProductListing = await PUBLISHED_PAGES.read(session, key, None, load)
        return render(listing)

    async def list_published(
        self,
        session: AsyncSession,
        where: ProductFilter,
        sort: str,
        page: PageRequest,
        count_limit: int,
    ) -> ProductListing:
        """A page of published products in four queries whatever its size: the count (up to
        `count_limit` matches), the page, the coaches' names and totals, the testimonials."""
        products, total = await products_repository.list_published(
            session, where, sort, page, count_limit
        )
        coaches = await products_repository.coach_standings(
            session, {product.coach_id for product in products}
        )
        testimonials = await products_repository.testimonials(
            session, [product.id for product in products]
        )
        cards = tuple(
            ProductCard(
                product=PublishedProduct.of(product),
                coach=coaches[product.coach_id],
                testimonials=tuple(testimonials.get(product.id, [])),
            )
            for product in products
        )
        return ProductListing(cards=cards, total=total)

    async def recommend(
        self,
        session: AsyncSession,
        *,
        goals: Sequence[Goal],
        preferences: Mapping[str, object],
        risk_flags: Collection[RiskFlag],
        limit: int = 10,
    ) -> list[Recommendation]:
        """Published products for a customer, best first: those serving more of `goals` first
        (with goals given, only products serving at least one), then by how well they fit the
        preferences `programWeeks` (int, closer is better), `level` (a Level key) and
        `wantsLiveSessions` (bool: products with live sessions first), then by rating. A product
        contraindicated by any of `risk_flags` is never returned. Unknown or ill-typed
        preferences are ignored."""
        wanted_goals = [Goal(goal) for goal in dict.fromkeys(goals)]
        risks = {RiskFlag(flag).value for flag in risk_flags}
        weeks = preferences.get("programWeeks")
        wanted_weeks = weeks if isinstance(weeks, int) and not isinstance(weeks, bool) else None
        level = preferences.get("level")
        wanted_level = level if isinstance(level, str) and level in set(Level) else None
        wants_sessions = preferences.get("wantsLiveSessions") is True

        candidates = await products_repository.recommendation_candidates(
            session, [goal.value for goal in wanted_goals]
        )
        picks: list[Recommendation] = []
        for product, _ in candidates:
            if risks.intersection(product.contraindications):
                continue
            served = [goal for goal in wanted_goals if goal.value in product.goals]
            score = GOAL_POINTS * len(served)
            reasons: list[str] = []
            if served:
                names = ", ".join(goal.value.replace("_", " ") for goal in served)
                reasons.append(f"Matches your goals: {names}")
            if wanted_weeks is not None:
                gap = abs(product.duration_weeks - wanted_weeks)
                score += PREFERENCE_POINTS / (1 + gap)
                if gap == 0:
                    reasons.append(f"{product.duration_weeks} weeks as you asked")
                else:
                    reasons.append(f"{product.duration_weeks} weeks (you asked for {wanted_weeks})")
            if wanted_level is not None and product.level == wanted_level:
                score += PREFERENCE_POINTS
                reasons.append(f"{product.level} level")
            if wants_sessions and product.sessions_per_month > 0:
                score += PREFERENCE_POINTS
                reasons.append(f"{product.sessions_per_month} live sessions a month")
            if not reasons:
                reasons.append(f"{product.duration_weeks}-week {product.level} program")
            picks.append(Recommendation(product=product, score=score, reason="; ".join(reasons)))
        picks.sort(
            key=lambda pick: (
                -pick.score,
                -pick.product.rating_average,
                -pick.product.rating_count,
                -pick.product.created_at.timestamp(),
                str(pick.product.id),
            )
        )
        return picks[: max(limit, 0)]

    async def readable(self, session: AsyncSession, actor: Actor, product_id: uuid.UUID) -> Product:
        """The product, if `actor` may see it (404 otherwise): for other domains naming one."""
        return (await self._readable(session, actor, product_id)).product

    async def _lead_coach(
        self, session: AsyncSession, actor: Actor, coach_id: uuid.UUID | None
    ) -> Actor:
        """A coach leads what they create; an admin names the coach (or leads it, if a coach)."""
        if coach_id is None or coach_id == actor.id:
            if actor.has_role(Role.COACH):
                return actor
            if coach_id is None:
                raise CoachRequired()
            raise NotACoach()
        if not actor.has_role(Role.ADMIN):
            raise CoachesLeadTheirOwnProducts()
        coach = await user_service.get(session, coach_id)
        if not coach.has_role(Role.COACH):
            raise NotACoach()
        return coach

    async def _move(
        self,
        session: AsyncSession,
        actor: Actor,
        product_id: uuid.UUID,
        status: ProductStatus,
        now: datetime,
    ) -> ProductView:
        product = await self._writable(session, actor, product_id)
        if product.status == status.value:
            raise ProductAlreadyInStatus(status.value)
        # A product's totals count in its coach's exactly while it is published.
        was_published = product.status == ProductStatus.published
        is_published = status is ProductStatus.published
        if was_published != is_published:
            await products_repository.add_product_to_coach_rating(
                session, product.id, product.coach_id, sign=1 if is_published else -1
            )
        before = {"status": product.status}
        product.status = status.value
        product.updated_at = now
        if status is ProductStatus.published:
            product.published_at = now
        audit_service.record(
            session,
            action=f"catalog.product.{status.value}",
            resource_type="product",
            resource_id=product.id,
            changes=changes_between(before, {"status": product.status}),
            now=now,
        )
        await session.flush()
        return await self._view(session, product)

    async def _view(self, session: AsyncSession, product: Product) -> ProductView:
        coaches = await products_repository.coach_standings(session, [product.coach_id])
        return ProductView(product=product, coach=coaches[product.coach_id])

    async def _readable(
        self,
        session: AsyncSession,
        actor: Actor,
        product_id: uuid.UUID,
        *,
        with_addons: bool = False,
        for_update: bool = False,
    ) -> ProductAccess:
        access = await products_repository.find_readable(
            session, product_id, actor, with_addons=with_addons, for_update=for_update
        )
        if access is None:
            raise ProductNotFound()
        return access

    async def _writable(
        self, session: AsyncSession, actor: Actor, product_id: uuid.UUID
    ) -> Product:
        """404 for a product the actor cannot see, 403 for one they see but may not change."""
        access = await self._readable(session, actor, product_id, with_addons=True, for_update=True)
        if not access.writable:
            raise Forbidden()
        return access.product


class ReviewService:
    """Reviews and the totals they feed: every change to a visible review adjusts its product's
    totals, and its coach's while the product is published, in the same transaction, by a delta
    applied in SQL."""

    async def create(
        self,
        session: AsyncSession,
        author: Actor,
        product_id: uuid.UUID,
        body: ReviewIn,
        now: datetime,
    ) -> ReviewView:
        product = await catalog_service.readable(session, author, product_id)
        if product.status != ProductStatus.published:
            raise ProductNotPublished()
        if await reviews_repository.exists(session, product.id, author.id):
            raise AlreadyReviewed()
        review = ProductReview(
            product_id=product.id,
            author_id=author.id,
            rating=body.rating,
            text=_clean_text(body.text),
            hidden=False,
            created_at=now,
            updated_at=now,
        )
        reviews_repository.add(session, review)
        try:
            await session.flush()
        except IntegrityError as exc:  # a concurrent first review by the same customer won
            raise AlreadyReviewed() from exc
        await products_repository.add_to_rating(
            session, product.id, points=review.rating, reviews=1
        )
        self._record(session, "created", review, {}, _audited_review(review), now)
        return ReviewView(review, author.name)

    async def update(
        self,
        session: AsyncSession,
        actor: Actor,
        product_id: uuid.UUID,
        review_id: uuid.UUID,
        changes: ReviewUpdateIn,
        now: datetime,
    ) -> ReviewView:
        review = await self._find(session, actor, product_id, review_id)
        if review.author_id != actor.id:
            raise Forbidden()
        before = _audited_review(review)
        given = changes.model_fields_set
        if changes.rating is not None and changes.rating != review.rating:
            if not review.hidden:
                await products_repository.add_to_rating(
                    session, review.product_id, points=changes.rating - review.rating, reviews=0
                )
            review.rating = changes.rating
        if "text" in given:
            review.text = _clean_text(changes.text)
        if given:
            review.updated_at = now
            self._record(session, "updated", review, before, _audited_review(review), now)
        await session.flush()
        return ReviewView(review, actor.name)

    async def delete(
        self,
        session: AsyncSession,
        actor: Actor,
        product_id: uuid.UUID,
        review_id: uuid.UUID,
        now: datetime,
    ) -> None:
        review = await self._find(session, actor, product_id, review_id)
        if review.author_id != actor.id and not actor.has_role(Role.ADMIN):
            raise Forbidden()
        if not review.hidden:
            await products_repository.add_to_rating(
                session, review.product_id, points=-review.rating, reviews=-1
            )
        self._record(session, "deleted", review, _audited_review(review), {}, now)
        await reviews_repository.delete(session, review.id)

    async def set_hidden(
        self,
        session: AsyncSession,
        admin: Actor,
        product_id: uuid.UUID,
        review_id: uuid.UUID,
        hidden: bool,
        now: datetime,
    ) -> ReviewView:
        review = await self._find(session, admin, product_id, review_id)
        if review.hidden == hidden:
            raise ReviewAlreadyInState("hidden" if hidden else "visible")
        before = _audited_review(review)
        sign = -1 if hidden else 1
        await products_repository.add_to_rating(
            session, review.product_id, points=sign * review.rating, reviews=sign
        )
        review.hidden = hidden
        review.hidden_at = now if hidden else None
        review.updated_at = now
        self._record(
            session,
            "hidden" if hidden else "unhidden",
            review,
            before,
            _audited_review(review),
            now,
        )
        await session.flush()
        names = await reviews_repository.author_names(session, [review.author_id])
        return ReviewView(review, names.get(review.author_id, ""))

    async def _find(
        self, session: AsyncSession, actor: Actor, product_id: uuid.UUID, review_id: uuid.UUID
    ) -> ProductReview:
        """The review, locked, if the actor may see both it and its product (404 otherwise)."""
        product = await catalog_service.readable(session, actor, product_id)
        review = await reviews_repository.find_readable(
            session, product.id, review_id, actor, for_update=True
        )
        if review is None:
            raise ReviewNotFound()
        return review

    def _record(
        self,
        session: AsyncSession,
        verb: str,
        review: ProductReview,
        before: Mapping[str, object],
        after: Mapping[str, object],
        now: datetime,
    ) -> None:
        audit_service.record(
            session,
            action=f"catalog.review.{verb}",
            resource_type="product_review",
            resource_id=review.id,
            changes=changes_between(before, after),
            now=now,
        )


catalog_service = CatalogService()
review_service = ReviewService()
