"""Swapping a plan item's exercise for a safe library alternative, for one customer: it must be
one of the item's alternatives, not contraindicated by their health flags and within their
equipment. The plan itself, a template shared with others or not, is never changed. Applying
and reverting record their events (the coach hears of a substitution and may revert it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitcoach.customers.service import customers_service
from fitcoach.models import Actor, Exercise, ItemSubstitution, PlanItem
from fitcoach.models.enums import PlanType, Role
from fitcoach.onboarding.service import onboarding_service
from fitcoach.training.events import SubstitutionApplied, SubstitutionReverted
from fitcoach.training.exceptions import ItemNotInPlan, PlanNotFollowed
from fitcoach.training.exercises.rules import fits_equipment
from fitcoach.training.exercises.service import exercises_service
from fitcoach.training.schedules.service import schedules_service
from fitcoach.training.substitutions.exceptions import (
    Contraindicated,
    EquipmentMissing,
    NotAnAlternative,
    NotInLibrary,
    SubstitutionConflict,
    SubstitutionNotFound,
)
from fitcoach.training.substitutions.repository import substitutions_repository
from fitcoach.worker.events import record_event

log = structlog.get_logger("fitcoach.substitutions")


@dataclass(frozen=True)
class ItemContext:
    item: PlanItem
    original: Exercise
    alternatives: list[Exercise]
    health_flags: frozenset[str]
    equipment: list[str] | None


@dataclass(frozen=True)
class Ranked:
    exercise: Exercise
    reason: str


@dataclass(frozen=True)
class Substituted:
    item: PlanItem
    substitution: ItemSubstitution
    original: Exercise
    exercise: Exercise


def _why(original: Exercise, alternative: Exercise) -> str:
    if original.variation_group and alternative.variation_group == original.variation_group:
        return f"A variation of {original.name}"
    shared = sorted(
        set(original.tagged("primary_muscle")) & set(alternative.tagged("primary_muscle"))
    )
    return f"Same movement pattern ({alternative.movement_pattern}), works {', '.join(shared)}"


def _refusal(context: ItemContext, alternative: Exercise) -> Exception | None:
    unsafe = context.health_flags & set(alternative.tagged("contraindication"))
    if unsafe:
        return Contraindicated(unsafe)
    needed = alternative.tagged("equipment")
    if not fits_equipment(needed, context.equipment):
        return EquipmentMissing(needed)
    return None


class SubstitutionsService:
    async def _context(
        self, session: AsyncSession, customer_id: uuid.UUID, plan_id: uuid.UUID, item_id: uuid.UUID
    ) -> ItemContext:
        followed = await schedules_service.followed_by(session, customer_id, plan_id)
        if not followed:
            raise PlanNotFollowed()
        plan = followed[0].plan
        item = next((one for one in plan.items if one.id == item_id), None)
        if item is None or plan.type != PlanType.training or not item.exercise:
            raise ItemNotInPlan()
        found = await exercises_service.by_names(session, [item.exercise])
        original = found.get(item.exercise.lower())
        if original is None:
            raise NotInLibrary()
        profile = await onboarding_service.profile_of(session, customer_id)
        equipment = profile.preferences.get("equipment") if profile is not None else None
        return ItemContext(
            item=item,
            original=original,
            alternatives=await exercises_service.alternatives_of(session, original),
            health_flags=frozenset(profile.health_flags if profile is not None else ()),
            equipment=equipment if isinstance(equipment, list) else None,
        )

    async def safe_alternatives(
        self, session: AsyncSession, customer: Actor, plan_id: uuid.UUID, item_id: uuid.UUID
    ) -> list[Ranked]:
        """Variations first, then by name; only those safe and within the customer's kit."""
        context = await self._context(session, customer.id, plan_id, item_id)
        return [
            Ranked(exercise=alternative, reason=_why(context.original, alternative))
            for alternative in context.alternatives
            if _refusal(context, alternative) is None
        ]

    async def substitute(
        self,
        session: AsyncSession,
        customer: Actor,
        plan_id: uuid.UUID,
        choice: tuple[uuid.UUID, uuid.UUID, str],
        now: datetime,
    ) -> Substituted:
        item_id, alternative_id, reason = choice
        context = await self._context(session, customer.id, plan_id, item_id)
        alternative = await exercises_service.get(session, alternative_id)
        if alternative.id not in {one.id for one in context.alternatives}:
            raise NotAnAlternative()
        refusal = _refusal(context, alternative)
        if refusal is not None:
            raise refusal
        existing = await substitutions_repository.of_items(session, customer.id, [item_id])
        substitution = existing[item_id][0] if item_id in existing else None
        if substitution is not None and (substitution.exercise_id, substitution.reason) == (
            alternative.id,
            reason,
        ):
            # The same choice again: nothing changes, nobody is told twice.
            return Substituted(context.item, substitution, context.original, alternative)
        if substitution is None:
            substitution = ItemSubstitution(
                customer_id=customer.id, plan_id=plan_id, item_id=item_id, created_at=now
            )
            substitutions_repository.add(session, substitution)
        substitution.exercise_id = alternative.id
        substitution.reason = reason
        substitution.updated_at = now
        try:
            await session.flush()
        except IntegrityError as exc:  # a concurrent first substitution of the item won
            raise SubstitutionConflict() from exc
        record_event(
            session,
            SubstitutionApplied(
                occurred_at=now,
                actor_id=customer.id,
                subject_type="substitution",
                subject_id=str(substitution.id),
                customer_id=customer.id,
                plan_id=plan_id,
                item_id=item_id,
                original=context.original.name,
                exercise=alternative.name,
                reason=reason,
            ),
        )
        log.info("item_substituted", customer_id=str(customer.id), item_id=str(item_id))
        return Substituted(context.item, substitution, context.original, alternative)

    async def revert(
        self,
        session: AsyncSession,
        actor: Actor,
        plan_id: uuid.UUID,
        substitution_id: uuid.UUID,
        now: datetime,
    ) -> None:
        """The customer, their coach or an admin puts the plan's exercise back."""
        substitution = await substitutions_repository.get(session, plan_id, substitution_id)
        allowed = substitution is not None and (
            substitution.customer_id == actor.id
            or actor.has_role(Role.ADMIN)
            or (
                actor.has_role(Role.COACH)
                and await customers_service.is_assigned(session, actor.id, substitution.customer_id)
            )
        )
        if substitution is None or not allowed:
            raise SubstitutionNotFound()
        await substitutions_repository.remove(session, substitution)
        record_event(
            session,
            SubstitutionReverted(
                occurred_at=now,
                actor_id=actor.id,
                subject_type="substitution",
                subject_id=str(substitution.id),
                customer_id=substitution.customer_id,
                plan_id=substitution.plan_id,
                item_id=substitution.item_id,
            ),
        )

    async def of_items(
        self, session: AsyncSession, customer_id: uuid.UUID, item_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[ItemSubstitution, Exercise]]:
        return await substitutions_repository.of_items(session, customer_id, item_ids)


substitutions_service = SubstitutionsService()
