"""/docs and /redoc render the operations in a real headless browser (Debian's chromium, driven
by Playwright) with every request to anything but the server refused: the pages need no CDN.
Before, both pages loaded their scripts from a CDN and stayed blank offline. Behind the docs'
Basic credentials, given once as a user gives them to the browser's prompt, they render too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_serve import serving
from tests.console import RUNS_ON_ITS_OWN_SQLITE

CHROMIUM = Path("/usr/bin/chromium")
RENDER_TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
    RUNS_ON_ITS_OWN_SQLITE,
]


SWAGGER_UI = ("/docs", ".opblock")
REDOC = ("/redoc", "[data-section-id^='operation/']")
DOCS_USER, DOCS_PASSWORD = "operator", "correct horse battery staple"


@pytest.mark.parametrize(
    ("page", "password"),
    [(SWAGGER_UI, None), (REDOC, None), (SWAGGER_UI, DOCS_PASSWORD), (REDOC, DOCS_PASSWORD)],
    ids=["swagger-ui", "redoc", "swagger-ui-behind-basic", "redoc-behind-basic"],
)
async def test_docs_render_offline(
    tmp_path: Path, page: tuple[str, str], password: str | None
) -> None:
    from playwright.async_api import HttpCredentials, Route, async_playwright

    page_path, operation_selector = page
    settings = {}
    credentials: HttpCredentials | None = None
    if password is not None:
        settings = {"FITCOACH_DOCS_USERNAME": DOCS_USER, "FITCOACH_DOCS_PASSWORD": password}
        credentials = {"username": DOCS_USER, "password": password}
    async with serving(tmp_path, **settings) as served, async_playwright() as playwright:
        base_url = str(served.http.base_url).rstrip("/")
        refused: list[str] = []

        async def only_the_server(route: Route) -> None:
            if route.request.url.startswith(f"{base_url}/"):
                await route.continue_()
            else:
                refused.append(f"{route.request.resource_type} {route.request.url}")
                await route.abort()

        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            context = await browser.new_context(http_credentials=credentials)
            tab = await context.new_page()
            await tab.route("**/*", only_the_server)
            await tab.goto(f"{base_url}{page_path}")
            await tab.wait_for_selector(operation_selector, timeout=RENDER_TIMEOUT_MS)
            operations = await tab.locator(operation_selector).count()
            text = await tab.inner_text("body")
        finally:
            await browser.close()
    assert operations >= 20, operations
    assert "/api/v1/auth/login" in text or "login" in text.lower()
    # ReDoc's sidebar shows its maker's logo from its CDN: an image, missing offline, and the
    # only request the pages make elsewhere. No script, style, font or data is fetched elsewhere.
    assert [request for request in refused if not request.startswith("image ")] == []
