"""App-wide injectables: settings and the clock, both held on app.state by create_app(), and the
client IP. All are `async def`: FastAPI runs a plain `def` dependency in the thread pool, a
thread hop per request for what is only an attribute read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fitcoach.config import Settings
from fitcoach.core.clock import Clock
from fitcoach.http.client_ip import client_ip


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


SettingsDep = Annotated[Settings, Depends(_settings)]
ClockDep = Annotated[Clock, Depends(_clock)]


async def _client_ip(request: Request) -> str:
    return client_ip(request)


ClientIp = Annotated[str, Depends(_client_ip)]
