"""/docs (Swagger UI), /redoc and /openapi.json, working offline and, when a password is set,
behind HTTP Basic credentials.

FastAPI's pages load their scripts from a CDN, so they were blank on a machine without internet
access: the scripts and styles are served from the `fastapi-offline` package, which ships them,
and the pages ask nothing of any other host.

Basic credentials are what an operator expects in front of a page: the browser asks once, then
sends them with the page's own fetch of /openapi.json (same origin, same realm), so Swagger UI
and ReDoc load as they do in the open. The assets are the package's public files and stay open;
Swagger UI's "Try it out" sends its own bearer token to the API, which the docs' credentials do
not touch."""

from __future__ import annotations

import base64
import binascii
import hmac
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from fitcoach.config import Settings
from fitcoach.core.errors import Unauthorized

OPENAPI_PATH = "/openapi.json"
ASSETS_PATH = "/docs/assets"
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="fitcoach API docs", charset="UTF-8"'}


def _basic_credentials(request: Request) -> tuple[bytes, bytes] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        return None
    username, colon, password = decoded.partition(b":")
    return (username, password) if colon else None


async def _docs_credentials(request: Request) -> None:
    """With FITCOACH_DOCS_PASSWORD set, the caller must give it (and the user name) by Basic."""
    settings: Settings = request.app.state.settings
    if settings.docs_password is None:
        return
    given = _basic_credentials(request) or (b"", b"")
    expected_password = settings.docs_password.get_secret_value().encode()
    # Both compared every time: the answer takes as long whichever part is wrong.
    right_user = hmac.compare_digest(given[0], settings.docs_username.encode())
    right_password = hmac.compare_digest(given[1], expected_password)
    if not (right_user and right_password):
        raise Unauthorized("The API docs need their user name and password").with_headers(
            _CHALLENGE
        )


def install_docs(app: FastAPI) -> None:
    """Serve the OpenAPI document, the assets and the two pages."""
    protected: dict[str, Any] = {
        "methods": ["GET"],
        "include_in_schema": False,
        "dependencies": [Depends(_docs_credentials)],
    }
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    async def openapi_document() -> JSONResponse:
        return JSONResponse(app.openapi())

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_PATH,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
            # The default asks validator.swagger.io about the schema on every page view.
            swagger_ui_parameters={"validatorUrl": None},
        )

    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=OPENAPI_PATH,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )

    app.add_api_route(OPENAPI_PATH, openapi_document, **protected)
    app.add_api_route("/docs", swagger_ui, **protected)
    app.add_api_route("/redoc", redoc, **protected)
