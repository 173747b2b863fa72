"""A router that says "not mine" to a path before FastAPI walks its routes.

FastAPI 0.16x keeps every included router as a branch and, for each request, asks the branches
in turn whether they hold the path: each branch builds its route list's version, then tries
every route's regex, and the chosen branch does it all again to dispatch. A request for the
25th router paid for the 24 before it (a fifth of a calendar read's CPU). `PathGuardedRouter`
holds the literal beginnings of its routes' full paths (`/api/v1/sessions` for
`/api/v1/sessions/{sessionId}`) and answers a path that starts with none of them at once; a
path that does start with one goes through FastAPI's own matching, so what matches, the 405s
and the trailing-slash redirects are FastAPI's.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

from fitcoach.http.path_owners import declared_routes


class PathGuardedRouter(APIRouter):
    """One router included under `prefix`, behind a check of its paths' literal beginnings."""

    def __init__(self, router: APIRouter, prefix: str = "") -> None:
        super().__init__()
        self.include_router(router, prefix=prefix)
        heads = {_literal_head(declared.path) for declared in declared_routes(self.routes)}
        # str.startswith with a tuple: one C call, however many routes.
        self._heads = tuple(sorted(heads))

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and not get_route_path(scope).startswith(self._heads):
            return Match.NONE, {}
        return super().matches(scope)


def _literal_head(path: str) -> str:
    """What every path the route matches starts with: the template up to its first parameter."""
    return path.split("{", 1)[0]
