"""The `Location` of a 201: the path of the route that serves what was created, built from the
route's name so it cannot drift from the routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response


class CreatedAt:
    def __init__(self, request: Request, response: Response) -> None:
        self._request = request
        self._response = response

    def route(self, name: str, **path_params: Any) -> None:
        """Answer with the path of route `name` (path parameters by their URL names)."""
        path = self._request.app.url_path_for(name, **{k: str(v) for k, v in path_params.items()})
        # A path, not an absolute URL: the Host header is the client's to choose.
        self._response.headers["Location"] = str(path)


async def _created_at(request: Request, response: Response) -> CreatedAt:
    return CreatedAt(request, response)


Created = Annotated[CreatedAt, Depends(_created_at)]


def located_at(name: str) -> Any:
    """A route dependency for a 201 whose resource has a fixed path (the caller's own account)."""

    async def _locate(created: Created) -> None:
        created.route(name)

    return Depends(_locate)
