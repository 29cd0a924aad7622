"""What the browser tests share: screenshots, axe-core's verdict, the focus indicator's
measured contrast, keyboard-only moves, and both screen sizes of a page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
DOWNLOADS = ARTIFACTS / "downloads"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PHONE_OPTIONS: dict[str, Any] = {
    "viewport": PHONE,
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# What axe reports at these levels blocks or seriously hinders someone (WCAG 2.1 A/AA rules).
BLOCKING = ("serious", "critical")
# WCAG 2.2 SC 2.4.13 / 1.4.11: a focus indicator at least 3:1 against what is next to it.
FOCUS_CONTRAST = 3.0
TEXT_CONTRAST = 4.5


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


# -- the focus indicator, measured ---------------------------------------------------------

# WCAG's relative luminance and contrast ratio, on computed colours. The outline is drawn
# around the element, so it is compared with the first opaque background behind the
# element (its parent's, its grandparent's...), not with the element's own.
_MEASURE_FOCUS = """
(element) => {
  const parse = (text) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(text || "");
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(parseFloat);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const ground = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const style = getComputedStyle(element);
  const outline = parse(style.outlineColor);
  const around = ground(element.parentElement);
  const own = ground(element);
  const text = parse(style.color);
  return {
    element: element.tagName.toLowerCase() + (element.id ? "#" + element.id : ""),
    label: (element.innerText || element.value || element.getAttribute("aria-label") || "")
      .trim().slice(0, 40),
    outline_style: style.outlineStyle,
    outline_width: parseFloat(style.outlineWidth) || 0,
    outline_ratio: outline && style.outlineStyle !== "none" ? ratio(outline, around) : 0,
    text_ratio: text ? ratio(text, own) : 21,
  };
}
"""


@dataclass(frozen=True)
class Focus:
    """How the focused element shows its focus."""

    element: str
    label: str
    outline_style: str
    outline_width: float
    outline_ratio: float
    text_ratio: float

    def problems(self) -> list[str]:
        found = []
        if self.outline_style == "none" or self.outline_width < 2:
            found.append(f"no visible outline ({self.outline_style} {self.outline_width}px)")
        elif self.outline_ratio < FOCUS_CONTRAST:
            found.append(f"outline contrast {self.outline_ratio:.2f}:1 < {FOCUS_CONTRAST}:1")
        if self.text_ratio < TEXT_CONTRAST:
            found.append(f"text contrast {self.text_ratio:.2f}:1 < {TEXT_CONTRAST}:1")
        return [f"{self.element} “{self.label}”: {p}" for p in found]


def focus_of(page: Page) -> Focus:
    """Measure the focus indicator of the element that has the focus now."""
    handle = page.evaluate_handle("document.activeElement")
    measured = page.evaluate(_MEASURE_FOCUS, handle)
    return Focus(**measured)


def tab(page: Page, times: int = 1) -> Focus:
    """Press Tab, as a keyboard user moves on; the focus where it lands."""
    for _ in range(times):
        page.keyboard.press("Tab")
    return focus_of(page)


def tab_to(page: Page, target: Locator, *, limit: int = 80) -> Focus:
    """Move the focus with Tab alone until ``target`` has it (the keyboard user's way)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("(node) => node === document.activeElement"):
            return focus_of(page)
    raise AssertionError(f"Tab never reached {target}")


def focus_problems_on_the_way(page: Page, *, stops: int) -> tuple[list[Focus], list[str]]:
    """Tab through the first ``stops`` stops of the page from its top; each one measured."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Home")
    seen = [tab(page) for _ in range(stops)]
    return seen, [problem for focus in seen for problem in focus.problems()]


# -- both screen sizes ---------------------------------------------------------------------


def check_both_sizes(
    browser: Browser, base_url: str, axe: Axe, path: str, name: str, *, stops: int = 8
) -> None:
    """Open ``path`` on a desktop and on a phone: screenshot, axe-core and the focus
    indicator of its first stops (the header's links), measured."""
    for size, options in (("desktop", {"viewport": DESKTOP}), ("phone", PHONE_OPTIONS)):
        page = new_page(browser, base_url, **options)
        try:
            page.goto(path)
            check_page(axe, page, f"{name}-{size}")
            if size == "phone":
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], f"{name}: {width}px wide on a 390px phone"
            _seen, problems = focus_problems_on_the_way(page, stops=stops)
            assert not problems, f"{name}-{size}: " + "; ".join(problems)
        finally:
            page.context.close()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def answer_every_question(page: Page) -> None:
    """Answer the factory's consultation (web_factories.every_question_type) by the labels."""
    page.get_by_role("radio", name="Yes").check()
    services = page.get_by_role("group", name=re.compile("Which services should improve"))
    services.get_by_role("checkbox", name="Water").check()
    services.get_by_role("checkbox", name="Health").check()
    page.get_by_role("radio", name=re.compile(r"^4$")).check()
    page.get_by_label(re.compile("Your ideas")).fill("More trees and benches by the river")
    ranking = page.get_by_role("group", name=re.compile("Rank these rights"))
    ranking.get_by_label("Work").select_option(label="position 1")
    ranking.get_by_label("Education").select_option(label="position 2")
    budget = page.get_by_role("group", name=re.compile("Share the budget"))
    budget.get_by_label(re.compile("New park")).fill("600")
    budget.get_by_label(re.compile("Street lights")).fill("300")
    page.get_by_role("radio", name="Under 30").check()
