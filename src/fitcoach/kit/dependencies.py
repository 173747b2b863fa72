"""App-wide injectables: settings and the clock, both held on app.state by create_app()."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fitcoach.config import Settings
from fitcoach.kit.client_ip import client_ip
from fitcoach.kit.clock import Clock


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


SettingsDep = Annotated[Settings, Depends(_settings)]
ClockDep = Annotated[Clock, Depends(_clock)]
ClientIp = Annotated[str, Depends(client_ip)]
