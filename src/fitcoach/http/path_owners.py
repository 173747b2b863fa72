"""Which routes own a path: a literal segment outranks a path parameter, so `/plans/today`
belongs to its own routes and never to `/plans/{planId}`'s. Starlette takes the first route whose
path and method match; a method only the parameter route serves would reach it and fail on the id
(422). Here every path answers as its owner says: a method the owner does not serve is 405, and
`Allow` names the owner's methods only.

Owners are ranked segment by segment from the left: at the first segment where one template has a
literal and the other a parameter, the literal wins."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from fastapi import FastAPI
from starlette.datastructures import URLPath
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match, NoMatchFound, Route
from starlette.types import Receive, Scope, Send

_PARAMETER = re.compile(r"^\{[^}]+\}$")


def _segments(template: str) -> list[str]:
    return template.strip("/").split("/")


def _is_parameter(segment: str) -> bool:
    return _PARAMETER.match(segment) is not None


def _shape(template: str) -> str:
    """The template with its parameters unnamed: `/plans/{planId}` and `/plans/{userId}` are one
    path to a client."""
    return "/".join("{}" if _is_parameter(segment) else segment for segment in _segments(template))


def _rank(template: str) -> tuple[bool, ...]:
    return tuple(not _is_parameter(segment) for segment in _segments(template))


def _overlap(first: str, second: str) -> bool:
    """Whether some path matches both templates (parameters take any one segment)."""
    one, other = _segments(first), _segments(second)
    return len(one) == len(other) and all(
        a == b or _is_parameter(a) or _is_parameter(b) for a, b in zip(one, other, strict=True)
    )


@dataclass(frozen=True)
class DeclaredRoute:
    # The full path as declared, convertors included (`/api/v1/files/{name:path}`) ...
    path: str
    # ... and as a template (`/api/v1/files/{name}`).
    template: str
    methods: frozenset[str]
    # The route as declared (what the access log and metrics label a request with).
    route: BaseRoute


@lru_cache(maxsize=1024)
def _matcher(template: str, methods: frozenset[str]) -> Route:
    """Starlette's own matching of a path and its methods (root_path and convertors included)."""
    return Route(template, _never_called, methods=sorted(methods))


def declared_routes(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[DeclaredRoute]:
    """The routes with methods in the order Starlette tries them, each under the prefix of the
    routers that include it. An included router is walked as declared: FastAPI's effective route
    contexts would build every route's full request state (seconds for the whole app), which the
    routing itself builds only for the routers a request reaches."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            nested_prefix = prefix + route.include_context.prefix  # type: ignore[attr-defined]
            yield from declared_routes(included.routes, nested_prefix)
        elif isinstance(route, Route) and route.methods:
            yield DeclaredRoute(
                prefix + route.path, prefix + route.path_format, frozenset(route.methods), route
            )


def _routed(routes: Sequence[BaseRoute]) -> list[DeclaredRoute]:
    """Those with one-segment parameters only: a `{path:path}` spans segments and owns what it
    spans."""
    return [routed for routed in declared_routes(routes) if ":path}" not in routed.path]


def allowed_methods(routes: Sequence[BaseRoute], scope: Scope) -> set[str]:
    """The methods the owner of the request's path serves; empty when no route has the path."""
    matching = [
        routed
        for routed in _routed(routes)
        if _matcher(routed.template, routed.methods).matches(scope)[0] is not Match.NONE
    ]
    if not matching:
        return set()
    owner = max(_rank(routed.template) for routed in matching)
    return {
        method
        for routed in matching
        if _rank(routed.template) == owner
        for method in routed.methods
    }


@dataclass(frozen=True)
class _Owner:
    template: str
    # Starlette's own matching of the path and the methods (root_path and convertors included).
    matcher: Route
    # One of its routes, for what reads the matched route (the access log's and metrics' label).
    route: BaseRoute


class LiteralPathGuard(BaseRoute):
    """Tried before every route: a path owned by a template that outranks another answers 405 to
    a method its owner does not serve, before the outranked route can take it."""

    def __init__(self, owners: Iterable[_Owner]) -> None:
        # Highest rank first: the first owner whose template matches the path owns it.
        self._owners = sorted(owners, key=lambda owner: _rank(owner.template), reverse=True)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        for owner in self._owners:
            match, _ = owner.matcher.matches(scope)
            if match is Match.FULL:
                return Match.NONE, {}
            if match is Match.PARTIAL:
                return Match.FULL, {"route": owner.route}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The error handler names the owner's methods in Allow (allowed_methods).
        raise HTTPException(status_code=405)

    def url_path_for(self, name: str, /, **path_params: object) -> URLPath:
        raise NoMatchFound(name, path_params)


async def _never_called() -> None:
    """The endpoint of a matcher: the guard only asks it whether a request matches."""


def _owners(routes: Sequence[DeclaredRoute]) -> list[_Owner]:
    methods_by_shape: dict[str, set[str]] = {}
    first_of_shape: dict[str, DeclaredRoute] = {}
    for routed in routes:
        shape = _shape(routed.template)
        methods_by_shape.setdefault(shape, set()).update(routed.methods)
        first_of_shape.setdefault(shape, routed)
    templates = [routed.template for routed in first_of_shape.values()]
    return [
        _Owner(
            template=routed.template,
            matcher=_matcher(routed.template, frozenset(methods_by_shape[shape])),
            route=routed.route,
        )
        for shape, routed in first_of_shape.items()
        if any(
            _overlap(routed.template, other) and _rank(routed.template) > _rank(other)
            for other in templates
        )
    ]


def _check_dispatch_order(routes: Sequence[DeclaredRoute]) -> None:
    """An outranked route tried before its owner would take the owner's requests for a method
    both serve: refuse to build such an app rather than route by accident of order."""
    for position, route in enumerate(routes):
        for earlier in routes[:position]:
            shared = earlier.methods & route.methods
            if (
                shared
                and _rank(route.template) > _rank(earlier.template)
                and _overlap(earlier.template, route.template)
            ):
                raise RuntimeError(
                    f"{sorted(shared)} {earlier.template} is routed before {route.template} "
                    "and would answer its requests: include the router of the literal path first"
                )


# The owners of a route table, by its paths and methods in order: the check is quadratic in the
# routes, and every app of a process (the tests build one per test) has the same table.
_OWNERS_BY_TABLE: dict[tuple[tuple[str, frozenset[str]], ...], list[_Owner]] = {}


def install_path_owners(app: FastAPI) -> None:
    """Once every route is in: the guard goes first."""
    routes = _routed(app.router.routes)
    table = tuple((routed.path, routed.methods) for routed in routes)
    owners = _OWNERS_BY_TABLE.get(table)
    if owners is None:
        _check_dispatch_order(routes)
        owners = _OWNERS_BY_TABLE[table] = _owners(routes)
    app.router.routes.insert(0, LiteralPathGuard(owners))
