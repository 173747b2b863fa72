"""Runs every cell of the access matrix (tests/robustness/access_matrix.py) over HTTP against a
world of its own, and checks that the matrix covers exactly the app's routes."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from fitcoach.app import API_PREFIX
from tests.robustness.access_matrix import (
    MATRIX,
    NEW_PASSWORD,
    SEEN_BUT_NOT_THEIRS,
    Row,
    random_ids,
)
from tests.robustness.leaks import known_secrets, visible_body
from tests.robustness.world import Actor, Stage, World, build_world

module_loop = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def shared_worlds() -> dict[Actor, World]:
    return {}


async def _world_for(
    stage: Stage, shared: dict[Actor, World], method: str, row: Row, actor: Actor
) -> World:
    """A world of its own for every cell that may change one: a success, or a call that
    prepares state. Reads and refusals change nothing, so they share one world per actor (a
    refusal that changed something would be a bug its own cell reports)."""
    if row.call_reads_only and (method == "GET" or row.expected[actor] >= 400):
        if actor not in shared:
            shared[actor] = await build_world(stage.app, stage.client, actor)
        return shared[actor]
    return await build_world(stage.app, stage.client, actor, furnished=not row.is_public)


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route; HEAD only where it is not GET's shadow."""
    routes: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        methods = set(getattr(context, "methods", None) or ())
        if "GET" in methods:
            methods.discard("HEAD")
        routes.update((method, context.path) for method in methods if context.path)
    return routes


@module_loop
async def test_the_matrix_has_a_row_for_every_route_and_no_other(stage: Stage) -> None:
    routes = _routes(stage.app)
    assert sorted(routes - MATRIX.keys()) == [], "routes missing from the access matrix"
    assert sorted(MATRIX.keys() - routes) == [], "matrix rows naming no route"


@module_loop
@pytest.mark.parametrize(
    ("method", "path", "actor"),
    [
        pytest.param(method, path, actor, id=f"{method} {path} {actor}")
        for method, path in MATRIX
        for actor in Actor
    ],
)
async def test_cell(
    stage: Stage, shared_worlds: dict[Actor, World], method: str, path: str, actor: Actor
) -> None:
    row = MATRIX[(method, path)]
    world = await _world_for(stage, shared_worlds, method, row, actor)
    call = await row.call(world, actor)
    response = await stage.client.request(
        method,
        path.format(**call.path),
        json=call.json,
        params=call.params,
        files=call.files,
        headers=world.headers(actor),
    )

    expected = row.expected[actor]
    assert response.status_code == expected, (
        f"{method} {path} as {actor}: {response.status_code}, expected {expected}: "
        f"{response.text[:400]}"
    )
    # A stream's body is events, a calendar feed's iCalendar and a download's the file, not
    # the envelope.
    enveloped = response.headers.get("content-type", "").startswith("application/json")
    if path.startswith(API_PREFIX) and enveloped:
        body = response.json()
        if expected >= 400:
            assert (body["status"], body["statusCode"]) == ("error", expected), body
        else:
            assert body["status"] == "success", body
    secrets = await known_secrets(stage.app, world, NEW_PASSWORD)
    assert secrets.found_in(visible_body(response, row.hands_over)) == [], (
        f"{method} {path} as {actor} leaked a secret"
    )


SIGNED_IN_ACTORS = (
    Actor.CUSTOMER,
    Actor.OTHER_CUSTOMER,
    Actor.ASSIGNED_COACH,
    Actor.UNASSIGNED_COACH,
    Actor.ADMIN,
)


@module_loop
@pytest.mark.parametrize(
    ("method", "path", "actor"),
    [
        pytest.param(method, path, actor, id=f"{method} {path} {actor}")
        for (method, path), row in MATRIX.items()
        if "{" in path
        for actor in SIGNED_IN_ACTORS
        if row.expected[actor] in (403, 404) and (method, path, actor) not in SEEN_BUT_NOT_THEIRS
    ],
)
async def test_a_denied_id_answers_like_one_that_names_nothing(
    stage: Stage, shared_worlds: dict[Actor, World], method: str, path: str, actor: Actor
) -> None:
    """Whoever may not see an object learns nothing from its id, not even that it exists."""
    world = await _world_for(stage, shared_worlds, method, MATRIX[(method, path)], actor)
    call = await MATRIX[(method, path)].call(world, actor)
    response = await stage.client.request(
        method,
        path.format(**random_ids(call.path)),
        json=call.json,
        params=call.params,
        headers=world.headers(actor),
    )
    assert response.status_code == MATRIX[(method, path)].expected[actor], response.text
