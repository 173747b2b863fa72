"""Catalog endpoints. Browsing needs a signed-in user of any role (every screen of the app is
behind sign-in): everyone sees published products, a coach also their own drafts and archived
ones, an admin everything. Coaches and admins write products; customers write reviews; admins
hide them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from fitcoach.access.dependencies import AdminUser, CurrentUser, SignedInRead, StaffUser
from fitcoach.catalog.dependencies import CustomerUser, ProductFilterDep
from fitcoach.catalog.products.repository import CoachStanding
from fitcoach.catalog.products.service import (
    ProductCard,
    ProductListing,
    ProductView,
    product_service,
)
from fitcoach.catalog.reviews.service import ReviewView, review_service
from fitcoach.catalog.schemas import (
    CoachOut,
    ProductDetailOut,
    ProductIn,
    ProductOut,
    ProductSort,
    ProductSummaryOut,
    ProductUpdateIn,
    RatingOut,
    ReviewIn,
    ReviewOut,
    ReviewUpdateIn,
    TestimonialOut,
)
from fitcoach.db.session import DbSession, ReadSession
from fitcoach.http.dependencies import ClockDep, SettingsDep
from fitcoach.http.envelope import DataEnvelope, MessageEnvelope, error_responses, ok, said
from fitcoach.http.location import Created
from fitcoach.http.pagination import Page, PageRequestDep
from fitcoach.http.paths import ProductIdPath, ReviewIdPath

router = APIRouter(prefix="/catalog", tags=["catalog"])


def _coach_out(coach: CoachStanding) -> CoachOut:
    rating = RatingOut.of(coach.rating_sum, coach.rating_count)
    return CoachOut(id=coach.id, name=coach.name, rating=rating.average, rating_count=rating.count)


def _product_out(view: ProductView) -> ProductOut:
    return ProductOut.of(view.product, _coach_out(view.coach))


def _summary_out(card: ProductCard) -> ProductSummaryOut:
    testimonials = [
        TestimonialOut(
            review_id=testimonial.review_id,
            rating=testimonial.rating,
            text=testimonial.text,
            author_name=testimonial.author_name,
            created_at=testimonial.created_at,
        )
        for testimonial in card.testimonials
    ]
    return ProductSummaryOut.of(card.product, _coach_out(card.coach), testimonials)


def _review_out(view: ReviewView) -> ReviewOut:
    review = view.review
    return ReviewOut(
        id=review.id,
        product_id=review.product_id,
        author_id=review.author_id,
        author_name=view.author_name,
        rating=review.rating,
        text=review.text,
        hidden=review.hidden,
        created_at=review.created_at,
        updated_at=review.updated_at,
    )


@router.post(
    "/products",
    response_model=DataEnvelope[ProductOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Create a draft product (coach: led by themself; admin: led by the coach coachId)",
)
async def create_product(
    body: Annotated[ProductIn, Body()],
    actor: StaffUser,
    session: DbSession,
    clock: ClockDep,
    created: Created,
) -> DataEnvelope[ProductOut]:
    product = _product_out(
        await product_service.create(session, actor, body.to_draft(), clock.now())
    )
    created.route("get_product", productId=product.id)
    return ok(product)


@router.get(
    "/products",
    response_model=DataEnvelope[Page[ProductSummaryOut]],
    responses=error_responses(401, 422),
    summary=(
        "Browse published products with their rating, testimonials and comparison metadata "
        "(sort: price, -price, rating, newest (default), popular)"
    ),
)
async def list_products(
    caller: SignedInRead,
    where: ProductFilterDep,
    page: PageRequestDep,
    settings: SettingsDep,
    sort: ProductSort = "newest",
) -> Response:
    count_limit = settings.catalog_count_limit

    # Rendered once to the JSON the shopper receives: the cache shares immutable bytes between
    # requests (a shared model could be changed by one of them) and no request serialises again.
    def render(listing: ProductListing) -> bytes:
        items = [_summary_out(card) for card in listing.cards]
        found = Page[ProductSummaryOut].of(items, listing.total, page, count_limit=count_limit)
        return ok(found).model_dump_json(by_alias=True).encode()

    rendered = await product_service.published_page(
        caller.session, where, sort, page, count_limit, render
    )
    return Response(content=rendered, media_type="application/json")


@router.get(
    "/products/{productId}",
    response_model=DataEnvelope[ProductDetailOut],
    responses=error_responses(401, 404, 422),
    summary=(
        "A product with its add-ons and a page of its reviews (page, pageSize); admins also "
        "see hidden reviews"
    ),
)
async def get_product(
    product_id: ProductIdPath, actor: CurrentUser, session: ReadSession, page: PageRequestDep
) -> DataEnvelope[ProductDetailOut]:
    view = await product_service.get(session, actor, product_id)
    found = await review_service.page_of(session, actor, view.product, page)
    product = _product_out(view)
    reviews = Page[ReviewOut].of(
        [_review_out(review) for review in found.reviews], found.total, page
    )
    return ok(ProductDetailOut.model_validate({**dict(product), "reviews": reviews}))


@router.patch(
    "/products/{productId}",
    response_model=DataEnvelope[ProductOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Change a product (coach: their own; admin: any)",
)
async def update_product(
    product_id: ProductIdPath,
    body: ProductUpdateIn,
    actor: StaffUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[ProductOut]:
    view = await product_service.update(session, actor, product_id, body.to_changes(), clock.now())
    return ok(_product_out(view))


@router.post(
    "/products/{productId}/publish",
    response_model=DataEnvelope[ProductOut],
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Put a draft or archived product on sale (coach: their own; admin: any)",
)
async def publish_product(
    product_id: ProductIdPath, actor: StaffUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[ProductOut]:
    return ok(_product_out(await product_service.publish(session, actor, product_id, clock.now())))


@router.post(
    "/products/{productId}/archive",
    response_model=DataEnvelope[ProductOut],
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Take a draft or published product out of the catalog (coach: their own; admin: any)",
)
async def archive_product(
    product_id: ProductIdPath, actor: StaffUser, session: DbSession, clock: ClockDep
) -> DataEnvelope[ProductOut]:
    return ok(_product_out(await product_service.archive(session, actor, product_id, clock.now())))


@router.post(
    "/products/{productId}/reviews",
    response_model=DataEnvelope[ReviewOut],
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Review a published product: 1 to 5 stars and optional text (customers, once each)",
)
async def create_review(
    product_id: ProductIdPath,
    body: ReviewIn,
    author: CustomerUser,
    session: DbSession,
    clock: ClockDep,
    created: Created,
) -> DataEnvelope[ReviewOut]:
    view = await review_service.create(
        session, author, product_id, body.rating, body.text, clock.now()
    )
    review = _review_out(view)
    created.route("update_review", productId=product_id, reviewId=review.id)
    return ok(review)


@router.patch(
    "/products/{productId}/reviews/{reviewId}",
    response_model=DataEnvelope[ReviewOut],
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Change one's own review",
)
async def update_review(
    product_id: ProductIdPath,
    review_id: ReviewIdPath,
    body: ReviewUpdateIn,
    actor: CurrentUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[ReviewOut]:
    view = await review_service.update(
        session, actor, product_id, review_id, body.to_changes(), clock.now()
    )
    return ok(_review_out(view))


@router.delete(
    "/products/{productId}/reviews/{reviewId}",
    response_model=MessageEnvelope,
    responses=error_responses(401, 403, 404, 422),
    summary="Delete a review (its author, or an admin)",
)
async def delete_review(
    product_id: ProductIdPath,
    review_id: ReviewIdPath,
    actor: CurrentUser,
    session: DbSession,
    clock: ClockDep,
) -> MessageEnvelope:
    await review_service.delete(session, actor, product_id, review_id, clock.now())
    return said("Review deleted successfully")


@router.post(
    "/products/{productId}/reviews/{reviewId}/hide",
    response_model=DataEnvelope[ReviewOut],
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Hide a review: it leaves the product's rating (admin)",
)
async def hide_review(
    product_id: ProductIdPath,
    review_id: ReviewIdPath,
    admin: AdminUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[ReviewOut]:
    view = await review_service.set_hidden(session, admin, product_id, review_id, True, clock.now())
    return ok(_review_out(view))


@router.post(
    "/products/{productId}/reviews/{reviewId}/unhide",
    response_model=DataEnvelope[ReviewOut],
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Show a hidden review again: it counts in the rating again (admin)",
)
async def unhide_review(
    product_id: ProductIdPath,
    review_id: ReviewIdPath,
    admin: AdminUser,
    session: DbSession,
    clock: ClockDep,
) -> DataEnvelope[ReviewOut]:
    view = await review_service.set_hidden(
        session, admin, product_id, review_id, False, clock.now()
    )
    return ok(_review_out(view))
