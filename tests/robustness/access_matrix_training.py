"""The access matrix's rows for the training domain (see access_matrix for the rules).

The customer follows their custom training plan, which an admin wrote: the assigned coach
reaches it and the customer's data only through the assignment. What a customer logs, swaps or
reads of their own day is theirs alone (staff get 403: the route is for customers); a plan they
do not follow is invisible to them (404). The exercise library is shared: anyone signed in reads
it, staff edit it.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.robustness.cells import (
    Call,
    Row,
    admin_only,
    anyone_signed_in,
    body_of,
    call_on,
    customer_id_of,
    reads_only,
    signed_in,
)
from tests.robustness.world import Actor, World


def _plan_id(world: World) -> uuid.UUID:
    return world.objects.custom_training_plan_id


def _item_id(world: World) -> uuid.UUID:
    return world.objects.followed_item_id


on_followed_plan = call_on(planId=_plan_id)
on_item = call_on(planId=_plan_id, itemId=_item_id)
on_exercise = call_on(exerciseId=lambda world: world.objects.exercise_id)
on_customer = call_on(customerId=customer_id_of)
# Only customers follow plans; staff are refused for their role, whatever the ids.
customers_only = signed_in(200, 404, 403, 403, 403)
# The customer's plan, changed by staff who may change it: an admin, or the assigned coach.
changed_by_staff = signed_in(403, 403, 200, 404, 200)


def _exercise_body(world: World) -> dict[str, Any]:
    return {
        "name": f"Matrix lunge {uuid.uuid4().hex[:12]}",
        "category": "legs",
        "movementPattern": "lunge",
        "instructions": "Step forward, sink, push back.",
        "primaryMuscles": ["quads"],
    }


def _entry_body(world: World) -> dict[str, Any]:
    return {
        "customerId": world.customer.user_id,
        "kind": "body_weight",
        "value": 69.5,
        "unit": "kg",
        "measuredAt": world.app.state.clock.now().isoformat(),
    }


def _habit_body(world: World) -> dict[str, Any]:
    return {"kind": "steps", "name": "Walk", "target": 8000}


@reads_only
async def _customers_entries(world: World, actor: Actor) -> Call:
    return Call(params={"customerId": world.customer.user_id})


async def _revert(world: World, actor: Actor) -> Call:
    substitution_id = await world.substitute_item()
    return Call(path={"planId": str(_plan_id(world)), "substitutionId": str(substitution_id)})


TRAINING_MATRIX: dict[tuple[str, str], Row] = {
    # The exercise library.
    ("GET", "/api/v1/exercises"): Row(anyone_signed_in()),
    ("GET", "/api/v1/exercises/{exerciseId}"): Row(anyone_signed_in(), on_exercise()),
    ("POST", "/api/v1/exercises"): Row(signed_in(403, 403, 201, 201, 201), body_of(_exercise_body)),
    ("PATCH", "/api/v1/exercises/{exerciseId}"): Row(
        signed_in(403, 403, 200, 200, 200),
        on_exercise(lambda world: {"instructions": "Slowly down, fast up."}),
    ),
    # Scheduling the customer's plan and having them follow it.
    ("PUT", "/api/v1/plans/{planId}/schedule"): Row(
        changed_by_staff, on_followed_plan(lambda world: {"kind": "weekdays"})
    ),
    ("POST", "/api/v1/plans/{planId}/assignments"): Row(
        changed_by_staff,
        on_followed_plan(
            lambda world: {
                "customerId": world.customer.user_id,
                "startDate": world.app.state.clock.now().date().isoformat(),
            }
        ),
    ),
    ("POST", "/api/v1/plans/{planId}/habits"): Row(
        signed_in(403, 403, 201, 404, 201), on_followed_plan(_habit_body)
    ),
    ("POST", "/api/v1/customers/{customerId}/habits"): Row(
        signed_in(201, 404, 201, 404, 201), on_customer(_habit_body)
    ),
    ("PUT", "/api/v1/me/timezone"): Row(
        anyone_signed_in(), body_of(lambda world: {"timezone": "Africa/Cairo"})
    ),
    # The customer's day: theirs alone.
    ("GET", "/api/v1/plans/today"): Row(signed_in(200, 200, 403, 403, 403)),
    ("PATCH", "/api/v1/plans/{planId}/items/{itemId}"): Row(
        customers_only, on_item(lambda world: {"status": "completed"})
    ),
    ("PATCH", "/api/v1/me/habits/{habitId}"): Row(
        customers_only,
        call_on(habitId=lambda world: world.objects.own_habit_id)(
            lambda world: {"status": "completed", "metrics": {"value": 500, "unit": "ml"}}
        ),
    ),
    ("GET", "/api/v1/plans/{planId}/items/{itemId}/alternatives"): Row(customers_only, on_item()),
    ("POST", "/api/v1/plans/{planId}/substitutions"): Row(
        customers_only,
        on_followed_plan(
            lambda world: {
                "itemId": str(_item_id(world)),
                "alternativeId": str(world.objects.alternative_exercise_id),
                "reason": "No rack today",
            }
        ),
    ),
    # The customer, their coach or an admin puts the plan's exercise back.
    ("DELETE", "/api/v1/plans/{planId}/substitutions/{substitutionId}"): Row(
        signed_in(200, 404, 200, 404, 200), _revert
    ),
    ("GET", "/api/v1/me/achievements"): Row(signed_in(200, 200, 403, 403, 403)),
    # Progress: the customer, their coach, admins; adherence for staff only.
    ("POST", "/api/v1/progress/entries"): Row(
        signed_in(201, 404, 201, 404, 201), body_of(_entry_body)
    ),
    ("GET", "/api/v1/progress/entries"): Row(
        signed_in(200, 404, 200, 404, 200), _customers_entries
    ),
    ("GET", "/api/v1/customers/{customerId}/adherence"): Row(changed_by_staff, on_customer()),
    # The admin's streak policy (the default one, so no other cell's streak moves) and badges.
    ("PUT", "/api/v1/admin/settings/streaks"): Row(
        admin_only(),
        body_of(lambda world: {"dayShare": 80, "freezeEveryDays": 7, "maxFreezes": 2}),
    ),
    ("POST", "/api/v1/admin/badges"): Row(
        admin_only(201),
        body_of(
            lambda world: {
                "code": f"matrix_{uuid.uuid4().hex[:12]}",
                "name": "Matrix badge",
                "measure": "workouts",
                "target": 100_000,
            }
        ),
    ),
}
