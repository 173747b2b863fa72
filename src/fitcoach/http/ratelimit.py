"""Per-client-IP rate limits with the `limits` library: in-process memory by default, Redis when
FITCOACH_REDIS_URL is set so every worker and host shares one count."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import redis.asyncio as redis
from fastapi import Request, Response
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from fitcoach.config import Settings
from fitcoach.core.errors import ServiceUnavailable, TooManyRequests
from fitcoach.core.metrics import RATE_LIMIT_REJECTIONS
from fitcoach.http.client_ip import client_ip


def create_limiter(
    settings: Settings, redis_pool: redis.ConnectionPool | None
) -> MovingWindowRateLimiter:
    storage: Storage
    if settings.redis_url and redis_pool is not None:
        uri = settings.redis_url.replace("redis://", "async+redis://", 1).replace(
            "rediss://", "async+rediss://", 1
        )
        storage = RedisStorage(
            uri,
            implementation="redispy",
            key_prefix=settings.rate_limit_key_prefix,
            wrap_exceptions=True,
            connection_pool=redis_pool,  # type: ignore[arg-type]
        )
    else:
        storage = MemoryStorage()
    return MovingWindowRateLimiter(storage)


@dataclass(frozen=True)
class RateLimit:
    """A dependency that counts one hit for the caller's IP on this endpoint, and answers 429
    (with Retry-After and RateLimit headers) once the limit is used up. Routes behind a bearer
    token count per user instead, after authentication (access.dependencies.user_rate_limit),
    so an anonymous client cannot drain a signed-in user's bucket."""

    scope: str
    limit: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "_item", parse(self.limit))

    @property
    def item(self) -> RateLimitItem:
        item: RateLimitItem = getattr(self, "_item")  # noqa: B009 - set in __post_init__
        return item

    async def __call__(self, request: Request, response: Response) -> None:
        await self.hit(request, response, client_ip(request))

    async def hit(self, request: Request, response: Response, identity: str) -> None:
        """Count one request of `identity` (an IP, or `user:<id>`) against this limit."""
        if not request.app.state.settings.rate_limit_enabled:
            return
        limiter: MovingWindowRateLimiter = request.app.state.limiter
        try:
            allowed = await limiter.hit(self.item, self.scope, identity)
            stats = await limiter.get_window_stats(self.item, self.scope, identity)
        except Exception as exc:
            # Fail closed: an auth route without its limit is an open door for SMS pumping and
            # guessing, so it refuses service until the shared counter is back.
            raise ServiceUnavailable("Rate limiting is unavailable, please retry shortly") from exc
        reset_in = max(math.ceil(stats.reset_time - time.time()), 0)
        headers = {
            "RateLimit-Limit": str(self.item.amount),
            "RateLimit-Remaining": str(max(stats.remaining, 0)),
            "RateLimit-Reset": str(reset_in),
        }
        # Kept on the request too, so an error answer (this 429, or a 400 from the handler) still
        # tells the client its budget.
        request.state.rate_limit_headers = headers
        if not allowed:
            RATE_LIMIT_REJECTIONS.labels(scope=self.scope).inc()
            raise TooManyRequests(retry_after=max(reset_in, 1))
        response.headers.update(headers)
