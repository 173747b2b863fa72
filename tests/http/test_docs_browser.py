"""/docs and /redoc render the operations in a real headless browser (Debian's chromium, driven
by Playwright) with every request to anything but the server refused: the pages need no CDN.
Before, both pages loaded their scripts from a CDN and stayed blank offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_serve import serving

CHROMIUM = Path("/usr/bin/chromium")
RENDER_TIMEOUT_MS = 30_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
)


@pytest.mark.parametrize(
    ("page_path", "operation_selector"),
    [("/docs", ".opblock"), ("/redoc", "[data-section-id^='operation/']")],
    ids=["swagger-ui", "redoc"],
)
async def test_docs_render_offline(tmp_path: Path, page_path: str, operation_selector: str) -> None:
    from playwright.async_api import Route, async_playwright

    async with serving(tmp_path) as served, async_playwright() as playwright:
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
            page = await browser.new_page()
            await page.route("**/*", only_the_server)
            await page.goto(f"{base_url}{page_path}")
            await page.wait_for_selector(operation_selector, timeout=RENDER_TIMEOUT_MS)
            operations = await page.locator(operation_selector).count()
            text = await page.inner_text("body")
        finally:
            await browser.close()
    assert operations >= 20, operations
    assert "/api/v1/auth/login" in text or "login" in text.lower()
    # ReDoc's sidebar shows its maker's logo from its CDN: an image, missing offline, and the
    # only request the pages make elsewhere. No script, style, font or data is fetched elsewhere.
    assert [request for request in refused if not request.startswith("image ")] == []
