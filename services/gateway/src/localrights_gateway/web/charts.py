"""Accessible charts drawn on the server as SVG: bars, bars side by side, a line to a target.

Each chart is an image with a ``<title>`` and a ``<desc>`` (``role="img"``); the page puts
the same figures in a table next to it, so nothing is only in the picture. Every bar and
point carries its value as text, and the series of a comparison are told apart by their
name on each bar and by a fill pattern, never by colour alone. Widths are percentages and
text keeps its size, so a chart is as readable on a 390 px phone as on a desktop; colours
are classes styled in site.css (the pages' CSP forbids inline styles), which also handles
forced-colours mode.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = 16  # px: the page's body text
LINE = 20  # px between lines of a label
BAR = 22  # px: the height of a bar
GAP = 14  # px between rows
WRAP = 38  # characters per label line: fits a 390 px screen at 16 px
INSIDE_FROM = 0.7  # bars longer than this share carry their value inside
PATTERNS = ("solid", "hatch", "dots", "cross")
PATTERNED_AT_MOST = 0.7


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # what the length shows
    text: str  # the value as printed: "45% (12 people)"


@dataclass(frozen=True)
class Series:
    """One group of a comparison: its name and one bar per category."""

    name: str
    bars: Sequence[Bar]


@dataclass(frozen=True)
class Point:
    label: str  # the period: "2025"
    value: float
    text: str  # "41 households"


def _lines(text: str, width: int = WRAP) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True) or [""]


def _pct(value: float, maximum: float) -> float:
    return 0.0 if maximum <= 0 else max(0.0, min(100.0, 100.0 * value / maximum))


def _open(chart_id: str, title: str, description: str, height: float, kind: str) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg class="chart chart-{kind}" id="{cid}" width="100%" height="{height:.0f}" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
    ]


def _defs(chart_id: str) -> str:
    cid = escape(chart_id)
    return (
        "<defs>"
        f'<pattern id="{cid}-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="8" height="8" class="chart-pattern-ground"/>'
        '<rect width="3" height="8" class="chart-pattern-ink"/></pattern>'
        f'<pattern id="{cid}-dots" width="7" height="7" patternUnits="userSpaceOnUse">'
        '<rect width="7" height="7" class="chart-pattern-ground"/>'
        '<circle cx="3.5" cy="3.5" r="2" class="chart-pattern-ink"/></pattern>'
        f'<pattern id="{cid}-cross" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" class="chart-pattern-ground"/>'
        '<path d="M0 4H8M4 0V8" class="chart-pattern-line"/></pattern>'
        "</defs>"
    )


def _bar(chart_id: str, y: float, bar: Bar, maximum: float, pattern: str = "solid") -> list[str]:
    """One bar from the left edge, with its value beside it (or inside when long)."""
    pct = _pct(bar.value, maximum)
    fill = "" if pattern == "solid" else f' fill="url(#{escape(chart_id)}-{pattern})"'
    parts = [
        f'<rect x="0" y="{y:.0f}" width="{pct:.2f}%" height="{BAR}" '
        f'class="chart-bar chart-bar-{pattern}"{fill}/>'
    ]
    baseline = y + BAR / 2 + FONT * 0.35
    if pct >= INSIDE_FROM * 100 and pattern == "solid":
        parts.append(
            f'<text x="{pct:.2f}%" dx="-6" y="{baseline:.0f}" text-anchor="end" '
            f'class="chart-value chart-value-inside">{escape(bar.text)}</text>'
        )
    else:  # a pattern is no ground for text: the value goes past the bar's end
        parts.append(
            f'<text x="{pct:.2f}%" dx="6" y="{baseline:.0f}" '
            f'class="chart-value">{escape(bar.text)}</text>'
        )
    return parts


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    maximum: float | None = None,
) -> Markup:
    """Horizontal bars, each under its label, longest value = full width unless ``maximum``."""
    top = maximum if maximum is not None else max((b.value for b in bars), default=0.0)
    body: list[str] = []
    y = 4.0
    for bar in bars:
        for line in _lines(bar.label):
            y += LINE
            body.append(f'<text x="0" y="{y - 5:.0f}" class="chart-label">{escape(line)}</text>')
        body += _bar(chart_id, y, bar, top)
        y += BAR + GAP
    return Markup("".join([*_open(chart_id, title, description, y, "bars"), *body, "</svg>"]))


def grouped_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    maximum: float | None = None,
) -> Markup:
    """For each category, one bar per series side by side, each named and patterned."""
    values = [bar.value for s in series for bar in s.bars]
    # The longest bar takes at most this share of the width: its value fits after it.
    top = (maximum if maximum is not None else max(values, default=0.0)) / PATTERNED_AT_MOST
    body: list[str] = [_defs(chart_id)]
    y = 4.0
    # The key: each series' pattern and name, once above the bars.
    for index, group in enumerate(series):
        pattern = PATTERNS[index % len(PATTERNS)]
        fill = "" if pattern == "solid" else f' fill="url(#{escape(chart_id)}-{pattern})"'
        body.append(
            f'<rect x="0" y="{y + 3:.0f}" width="28" height="16" '
            f'class="chart-bar chart-bar-{pattern}"{fill}/>'
            f'<text x="36" y="{y + 16:.0f}" class="chart-key">{escape(group.name)}</text>'
        )
        y += LINE + 4
    y += GAP
    for position, category in enumerate(categories):
        for line in _lines(category):
            y += LINE
            body.append(
                f'<text x="0" y="{y - 5:.0f}" class="chart-label chart-category">'
                f"{escape(line)}</text>"
            )
        for index, group in enumerate(series):
            bar = group.bars[position]
            y += LINE - 2
            body.append(
                f'<text x="0" y="{y - 5:.0f}" class="chart-series-name">{escape(group.name)}</text>'
            )
            body += _bar(chart_id, y, bar, top, PATTERNS[index % len(PATTERNS)])
            y += BAR + 4
        y += GAP
    return Markup("".join([*_open(chart_id, title, description, y, "grouped"), *body, "</svg>"]))


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[Point],
    target: float | None = None,
    target_text: str = "",
    maximum: float | None = None,
    height: int = 240,
) -> Markup:
    """Values over time joined by a line, each point labelled; the target a dashed line."""
    candidates = [p.value for p in points] + ([target] if target is not None else [])
    top = maximum if maximum is not None else max(candidates, default=0.0) * 1.15
    plot_top, plot_bottom = 28.0, height - 36.0

    def y_of(value: float) -> float:
        share = 0.0 if top <= 0 else max(0.0, min(1.0, value / top))
        return plot_bottom - share * (plot_bottom - plot_top)

    count = len(points)

    def x_of(index: int) -> float:  # percent of the width, inside a margin for the labels
        return 50.0 if count == 1 else 8.0 + index * (84.0 / (count - 1))

    body: list[str] = [
        f'<line x1="0" y1="{plot_bottom:.0f}" x2="100%" y2="{plot_bottom:.0f}" class="chart-axis"/>'
    ]
    if target is not None:
        ty = y_of(target)
        body.append(
            f'<line x1="0" y1="{ty:.0f}" x2="100%" y2="{ty:.0f}" class="chart-target"/>'
            f'<text x="100%" dx="-2" y="{ty - 6:.0f}" text-anchor="end" class="chart-target-text">'
            f"{escape(target_text)}</text>"
        )
    for index in range(count - 1):
        body.append(
            f'<line x1="{x_of(index):.2f}%" y1="{y_of(points[index].value):.0f}" '
            f'x2="{x_of(index + 1):.2f}%" y2="{y_of(points[index + 1].value):.0f}" '
            'class="chart-line"/>'
        )
    for index, point in enumerate(points):
        x, y = x_of(index), y_of(point.value)
        body.append(
            f'<circle cx="{x:.2f}%" cy="{y:.0f}" r="6" class="chart-point"/>'
            f'<text x="{x:.2f}%" y="{y - 12:.0f}" text-anchor="middle" class="chart-value">'
            f"{escape(point.text)}</text>"
            f'<text x="{x:.2f}%" y="{height - 12}" text-anchor="middle" class="chart-label">'
            f"{escape(point.label)}</text>"
        )
    return Markup("".join([*_open(chart_id, title, description, height, "line"), *body, "</svg>"]))
