"""Review rules: who reviews which product, once; who changes, deletes and hides which review;
and the review totals each change moves on its product and, while it is published, its coach."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service, changes_between
from fitcoach.catalog.exceptions import (
    AlreadyReviewed,
    NotABuyer,
    ProductNotPublished,
    ReviewAlreadyInState,
    ReviewNotFound,
)
from fitcoach.catalog.products.repository import products_repository
from fitcoach.catalog.products.service import product_service
from fitcoach.catalog.reviews.repository import reviews_repository
from fitcoach.core.errors import Forbidden
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor, Product, ProductReview
from fitcoach.models.enums import ProductStatus, Role


@dataclass(frozen=True)
class ReviewChanges:
    """A partial update: only the fields named in `given` change (a given None text clears it)."""

    given: frozenset[str]
    rating: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class ReviewView:
    review: ProductReview
    author_name: str


@dataclass(frozen=True)
class ReviewPage:
    reviews: list[ReviewView]
    total: int


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


class ReviewService:
    """Reviews and the totals they feed: every change to a visible review adjusts its product's
    totals, and its coach's while the product is published, in the same transaction, by a delta
    applied in SQL."""

    async def page_of(
        self, session: AsyncSession, actor: Actor, product: Product, page: PageRequest
    ) -> ReviewPage:
        """A page of the reviews `actor` may see of a product they may see, newest first."""
        reviews, total = await reviews_repository.list_page(
            session, product.id, reviews_repository.readable_by(actor), page
        )
        names = await reviews_repository.author_names(
            session, {review.author_id for review in reviews}
        )
        views = [ReviewView(review, names.get(review.author_id, "")) for review in reviews]
        return ReviewPage(reviews=views, total=total)

    async def create(
        self,
        session: AsyncSession,
        author: Actor,
        product_id: uuid.UUID,
        rating: int,
        text: str | None,
        now: datetime,
    ) -> ReviewView:
        product = await product_service.readable(session, author, product_id)
        if product.status != ProductStatus.published:
            raise ProductNotPublished()
        if not await reviews_repository.bought(session, product.id, author.id):
            raise NotABuyer()
        if await reviews_repository.exists(session, product.id, author.id):
            raise AlreadyReviewed()
        review = ProductReview(
            product_id=product.id,
            author_id=author.id,
            rating=rating,
            text=_clean_text(text),
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
        changes: ReviewChanges,
        now: datetime,
    ) -> ReviewView:
        review = await self._find(session, actor, product_id, review_id)
        if review.author_id != actor.id:
            raise Forbidden()
        before = _audited_review(review)
        given = changes.given
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
        product = await product_service.readable(session, actor, product_id)
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
            AuditEvent(
                action=f"catalog.review.{verb}",
                resource_type="product_review",
                resource_id=review.id,
                changes=changes_between(before, after),
            ),
            now,
        )


review_service = ReviewService()
