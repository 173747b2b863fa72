from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fitcoach.auth.social.verification import JwksCache


async def _jwks_cache(request: Request) -> JwksCache:
    """The app's one key cache, made by create_app."""
    cache: JwksCache = request.app.state.jwks_cache
    return cache


JwksCacheDep = Annotated[JwksCache, Depends(_jwks_cache)]
