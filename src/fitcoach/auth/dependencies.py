"""Sign-in's own injectables: the e-mail delivery of verification codes and the social
providers' key cache."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fitcoach.auth.email_verification import EmailDelivery
from fitcoach.auth.social import JwksCache
from fitcoach.db.session import sessionmaker_of
from fitcoach.notifications.email import email_provider_of


async def _email_delivery(request: Request) -> EmailDelivery:
    return EmailDelivery(
        provider=email_provider_of(request.app), sessionmaker=sessionmaker_of(request)
    )


async def _jwks_cache(request: Request) -> JwksCache:
    """The app's one key cache, made by create_app."""
    cache: JwksCache = request.app.state.jwks_cache
    return cache


EmailDeliveryDep = Annotated[EmailDelivery, Depends(_email_delivery)]
JwksCacheDep = Annotated[JwksCache, Depends(_jwks_cache)]
