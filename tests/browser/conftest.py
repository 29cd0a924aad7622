"""Browser tests: one platform for all of them (package scope), driven by Debian's chromium.

Playwright's own browser download cannot work on our machines, so it launches
/usr/bin/chromium (``make test`` installs it with deploy/tools/ensure_chromium.sh).
axe-core comes bundled in axe-playwright-python. Screenshots go to
test-artifacts/screenshots/ (gitignored; CI keeps them as artifacts).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from launch import Stack
from playwright.sync_api import Browser, Page, sync_playwright

from .browser_kit import CHROMIUM, DESKTOP, PHONE, ROOT, new_page

# The page tests' factories make the test data through the public API: one place for both.
sys.path.insert(0, str(ROOT / "services" / "gateway" / "tests" / "web"))

from web_factories import Officer, make_officer, token_for  # noqa: E402

# Every browser test signs its people in from one address (127.0.0.1): the residents', the
# back office's and the follow-up's days together sign in far more than ten times a minute.
# The sign-in limit itself is tested in services/gateway/tests/web/test_sessions_and_limits.py.
BROWSER_STACK_ENV = {"GATEWAY_RATE_LIMIT_LOGIN": "1000/minute"}


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One platform for every browser test (starting one takes most of a minute), with the
    production settings but the sign-in limit: tests make their own data, so they share it."""
    with Stack(tmp_path_factory.mktemp("browser-stack"), extra_env=BROWSER_STACK_ENV) as platform:
        yield platform


@pytest.fixture(scope="package")
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="package")
def officer(api: httpx.Client, stack: Stack) -> Officer:
    """A municipality of Montevideo and its officer, made by the platform's admin."""
    return make_officer(api, token_for(api, *stack.admin))


@pytest.fixture(scope="package")
def browser(stack: Stack) -> Iterator[Browser]:
    """Headless chromium, started after the platform: Playwright's sync API keeps an event loop
    running in this thread, in which the launcher's asyncio.run() could not start. Package
    scope, not session: that loop must be gone before the async tests of other folders run."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Browser, stack: Stack) -> Iterator[Page]:
    """A phone-sized touch screen (390x844, as an iPhone 12-15)."""
    page = new_page(
        browser,
        stack.gateway_url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    page.context.close()


@pytest.fixture
def desktop(browser: Browser, stack: Stack) -> Iterator[Page]:
    page = new_page(browser, stack.gateway_url, viewport=DESKTOP)
    yield page
    page.context.close()


@pytest.fixture(scope="package")
def axe() -> Axe:
    return Axe()
