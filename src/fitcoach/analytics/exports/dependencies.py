"""What the export endpoints work with: the app's export storage and link secret."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fitcoach.analytics.exports.service import EXPORTS_STATE, Exports


async def _exports(request: Request) -> Exports:
    exports: Exports = getattr(request.app.state, EXPORTS_STATE)
    return exports


ExportsDep = Annotated[Exports, Depends(_exports)]
