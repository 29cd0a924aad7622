"""What the browser tests share: screenshots and axe-core's verdict on a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# What axe reports at these levels blocks or seriously hinders someone (WCAG 2.1 A/AA rules).
BLOCKING = ("serious", "critical")


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def blocking_violations(axe: Axe, page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page, one readable line each."""
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]


def check_page(axe: Axe, page: Page, name: str) -> None:
    """Screenshot the page, then fail on any serious or critical accessibility violation."""
    screenshot(page, name)
    found = blocking_violations(axe, page)
    assert not found, f"{name}: " + "\n".join(found)


def new_page(browser: Browser, base_url: str, **options: Any) -> Page:
    """A page in a fresh context (own cookies), English unless told, on ``base_url``."""
    options.setdefault("locale", "en-GB")
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(15_000)
    return context.new_page()
