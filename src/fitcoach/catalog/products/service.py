"""Product rules: who creates and changes which product and how its status moves (draft ->
published <-> archived), and what browsing shows."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.audit.service import AuditEvent, audit_service, changes_between
from fitcoach.catalog.exceptions import (
    CoachesLeadTheirOwnProducts,
    CoachRequired,
    NotACoach,
    ProductAlreadyInStatus,
    ProductNotFound,
)
from fitcoach.catalog.products.repository import (
    PUBLISHED_PAGES,
    CoachStanding,
    ProductAccess,
    ProductFilter,
    Testimonial,
    products_repository,
)
from fitcoach.core.errors import Forbidden
from fitcoach.http.pagination import PageRequest
from fitcoach.models import Actor, Product, ProductAddon
from fitcoach.models.enums import ProductStatus, Role
from fitcoach.models.vocabulary import Goal, Level, RiskFlag
from fitcoach.users.service import user_service


@dataclass(frozen=True)
class Included:
    """What a program includes beside its plan of weeks."""

    sessions_per_month: int = 0
    custom_training_plan: bool = False
    custom_diet_plan: bool = False
    chat_access: bool = False


@dataclass(frozen=True)
class Addon:
    name: str
    price: int


@dataclass(frozen=True)
class ProductDraft:
    """A new product; `coach_id` is the coach who leads it (None: the creating coach)."""

    title: str
    description: str | None
    goals: Sequence[Goal]
    duration_weeks: int
    price: int
    currency: str
    level: Level
    coach_id: uuid.UUID | None = None
    included: Included = Included()
    addons: Sequence[Addon] = ()
    tags: Sequence[str] = ()
    contraindications: Sequence[RiskFlag] = ()
    media_urls: Sequence[str] = ()


@dataclass(frozen=True)
class ProductChanges:
    """A partial update: only the fields named in `given` change (so a given None clears a
    field that may be empty); sequences given replace the stored ones."""

    given: frozenset[str]
    title: str | None = None
    description: str | None = None
    goals: Sequence[Goal] | None = None
    duration_weeks: int | None = None
    price: int | None = None
    currency: str | None = None
    level: Level | None = None
    included: Included | None = None
    addons: Sequence[Addon] | None = None
    tags: Sequence[str] | None = None
    contraindications: Sequence[RiskFlag] | None = None
    media_urls: Sequence[str] | None = None


@dataclass(frozen=True)
class ProductView:
    product: Product
    coach: CoachStanding


@dataclass(frozen=True)
class ProductCard:
    product: Product
    coach: CoachStanding
    testimonials: list[Testimonial]


@dataclass(frozen=True)
class ProductListing:
    cards: list[ProductCard]
    total: int


T = TypeVar("T")


def _addons(addons: Sequence[Addon]) -> list[ProductAddon]:
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


class ProductService:
    async def create(
        self, session: AsyncSession, actor: Actor, draft: ProductDraft, now: datetime
    ) -> ProductView:
        coach = await self._lead_coach(session, actor, draft.coach_id)
        product = Product(
            title=draft.title,
            description=draft.description,
            goals=[goal.value for goal in draft.goals],
            duration_weeks=draft.duration_weeks,
            price_minor=draft.price,
            currency=draft.currency,
            level=draft.level.value,
            coach_id=coach.id,
            sessions_per_month=draft.included.sessions_per_month,
            custom_training_plan=draft.included.custom_training_plan,
            custom_diet_plan=draft.included.custom_diet_plan,
            chat_access=draft.included.chat_access,
            tags=list(draft.tags),
            contraindications=[flag.value for flag in draft.contraindications],
            media_urls=list(draft.media_urls),
            status=ProductStatus.draft.value,
            rating_count=0,
            rating_sum=0,
            rating_average=0.0,
            created_at=now,
            updated_at=now,
            addons=_addons(draft.addons),
        )
        products_repository.add(session, product)
        await session.flush()
        await products_repository.replace_goals(session, product.id, product.goals)
        audit_service.record(
            session,
            AuditEvent(
                action="catalog.product.created",
                resource_type="product",
                resource_id=product.id,
                changes=changes_between({}, _audited_fields(product)),
            ),
            now,
        )
        return await self._view(session, product)

    async def update(
        self,
        session: AsyncSession,
        actor: Actor,
        product_id: uuid.UUID,
        changes: ProductChanges,
        now: datetime,
    ) -> ProductView:
        product = await self._writable(session, actor, product_id)
        before = _audited_fields(product)
        given = changes.given
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
                AuditEvent(
                    action="catalog.product.updated",
                    resource_type="product",
                    resource_id=product.id,
                    changes=changes_between(before, _audited_fields(product)),
                ),
                now,
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

    async def get(self, session: AsyncSession, actor: Actor, product_id: uuid.UUID) -> ProductView:
        """The product with its add-ons, if `actor` may see it (404 otherwise)."""
        access = await self._readable(session, actor, product_id, with_addons=True)
        return await self._view(session, access.product)

    async def published_page(
        self,
        session: AsyncSession,
        where: ProductFilter,
        sort: str,
        page: PageRequest,
        count_limit: int,
        render: Callable[[ProductListing], T],
    ) -> T:
        """A page of the published catalog as `render` shapes it, kept until anything in the
        catalog changes: every shopper is shown the same pages, and they seldom change."""

        async def load() -> T:
            return render(await self.list_published(session, where, sort, page, count_limit))

        key = repr((where, sort, page.page, page.page_size, count_limit))
        page_out: T = await PUBLISHED_PAGES.read(session, key, None, load)
        return page_out

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
        cards = [
            ProductCard(
                product=product,
                coach=coaches[product.coach_id],
                testimonials=testimonials.get(product.id, []),
            )
            for product in products
        ]
        return ProductListing(cards=cards, total=total)

    async def readable(self, session: AsyncSession, actor: Actor, product_id: uuid.UUID) -> Product:
        """The product, if `actor` may see it (404 otherwise): for other domains naming one."""
        return (await self._readable(session, actor, product_id)).product

    async def stored(self, session: AsyncSession, product_id: uuid.UUID) -> Product:
        """The product whatever its status, for a domain that already holds a reference to it
        (a paid order names the product it was placed for)."""
        product = await products_repository.get(session, product_id)
        if product is None:
            raise ProductNotFound()
        return product

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
            AuditEvent(
                action=f"catalog.product.{status.value}",
                resource_type="product",
                resource_id=product.id,
                changes=changes_between(before, {"status": product.status}),
            ),
            now,
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


product_service = ProductService()
