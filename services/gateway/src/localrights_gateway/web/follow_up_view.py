"""Follow-up as the pages show it: each figure a chart with its table, places and statuses by
name, dates and numbers as the reader writes them.

The API's figures are taken as they are; this module only names, formats and arranges them
(``chart_with_table`` in macros.html draws a ``Figure``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from localrights_gateway.web import charts, formatting, labels, places
from localrights_gateway.web.results_view import Table

Gettext = Callable[[str], str]
STATUSES = tuple(labels.LABELS["follow_up_status"])
DONE = ("partially_implemented", "implemented")


@dataclass
class Figure:
    chart: Markup | None
    table: Table | None


@dataclass(frozen=True)
class Reader:
    """The page's language and its gettext."""

    language: str
    gettext: Gettext

    def label(self, kind: str, value: str | None) -> str:
        return labels.label(kind, value, self.gettext)

    def number(self, value: float | int | None) -> str:
        return formatting.format_number(value, self.language)

    def percent(self, share: float | None) -> str:
        return formatting.format_percent(share, self.language)

    def date(self, value: Any) -> str:
        return formatting.format_date(value, self.language)

    def place(self, code: str | None) -> str:
        return places.place_name(code, self.language) if code else ""

    def name(self, names: Mapping[str, str] | None) -> str:
        """An indicator's name in the reader's language, else the first given."""
        names = names or {}
        return names.get(self.language) or names.get("en") or next(iter(names.values()), "")


def statuses(reader: Reader, counts: Mapping[str, int], *, chart_id: str, title: str) -> Figure:
    """How many (recommendation, institution) pairs stand at each status."""
    _ = reader.gettext
    rows = [(reader.label("follow_up_status", s), int(counts.get(s, 0))) for s in STATUSES]
    total = sum(n for _name, n in rows)
    return Figure(
        chart=charts.bar_chart(
            chart_id=chart_id,
            title=title,
            description=_("One bar per status; the figures are also in the table below."),
            bars=[charts.Bar(name, n, reader.number(n)) for name, n in rows],
        )
        if total
        else None,
        table=Table(
            title, [_("Status"), _("Statuses")], [(n, [reader.number(c)]) for n, c in rows]
        ),
    )


def over_time(reader: Reader, points: Sequence[Mapping[str, Any]], *, chart_id: str) -> Figure:
    """The share of statuses at least partially implemented, at the end of each year."""
    _ = reader.gettext
    title = _("Share of statuses at least partially implemented, by year")
    chart_points = []
    rows = []
    for point in points:
        counts = point["counts"]
        total = sum(counts.values())
        done = sum(counts.get(s, 0) for s in DONE)
        share = done / total if total else 0.0
        when = reader.date(point["as_of"])
        chart_points.append(charts.Point(when, share * 100, reader.percent(share)))
        rows.append((when, [reader.number(counts.get(s, 0)) for s in STATUSES]))
    return Figure(
        chart=charts.line_chart(
            chart_id=chart_id,
            title=title,
            description=_("One point per year; each status by year is in the table below."),
            points=chart_points,
            maximum=100,
        )
        if len(chart_points) > 1
        else None,
        table=Table(
            _("Statuses by year"),
            [_("On"), *(reader.label("follow_up_status", s) for s in STATUSES)],
            rows,
        ),
    )


def breakdown(
    reader: Reader,
    rows: Sequence[Mapping[str, Any]],
    *,
    heading: str,
    key_label: Callable[[str], str],
) -> Table:
    """Statuses by theme, SDG goal or mechanism: one row each."""
    return Table(
        heading,
        [heading, *(reader.label("follow_up_status", s) for s in STATUSES)],
        [
            (key_label(str(row["key"])), [reader.number(row["counts"].get(s, 0)) for s in STATUSES])
            for row in rows
        ],
    )


def _groups(observations: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Every (dimension, group) the observations break down by, in order of appearance."""
    found: dict[tuple[str, str], None] = {}
    for observation in observations:
        for part in observation.get("breakdown") or []:
            found[(part["dimension"], part["group"])] = None
    return list(found)


def indicator(reader: Reader, series: Mapping[str, Any], *, chart_id: str) -> Figure:
    """An indicator's values in a place over time, against its target, with the table of every
    value and its breakdown."""
    _ = reader.gettext
    definition = series["indicator"]
    unit = definition["unit"]
    name = reader.name(definition["name"])
    observations = series["observations"]
    target = definition.get("target_value")
    points = [
        charts.Point(
            o.get("period") or reader.date(o["observed_on"]),
            float(o["value"]),
            f"{reader.number(o['value'])}",
        )
        for o in observations
    ]
    target_text = (
        _("Target %(year)s: %(value)s")
        % {"year": definition.get("target_year") or "", "value": reader.number(target)}
        if target is not None
        else ""
    )
    groups = _groups(observations)
    rows = []
    for observation in observations:
        values = {
            (p["dimension"], p["group"]): p["value"] for p in observation.get("breakdown") or []
        }
        rows.append(
            (
                observation.get("period") or reader.date(observation["observed_on"]),
                [reader.number(observation["value"])]
                + [reader.number(values[g]) if g in values else "—" for g in groups],
            )
        )
    headers = [
        _("Period"),
        _("Value (%(unit)s)") % {"unit": unit},
        *(f"{reader.label('breakdown', d)}: {reader.gettext(g)}" for d, g in groups),
    ]
    return Figure(
        chart=charts.line_chart(
            chart_id=chart_id,
            title=f"{name} ({unit})",
            description=_("One point per value; the dashed line is the target."),
            points=points,
            target=float(target) if target is not None else None,
            target_text=target_text,
        )
        if points
        else None,
        table=Table(f"{name} ({unit})", headers, rows),
    )


def latest_breakdown(reader: Reader, series: Mapping[str, Any], *, chart_id: str) -> Figure | None:
    """The latest value's groups side by side (women and men ...), when it has any."""
    observations = series["observations"]
    if not observations or not observations[-1].get("breakdown"):
        return None
    _ = reader.gettext
    latest = observations[-1]
    name = reader.name(series["indicator"]["name"])
    parts = latest["breakdown"]
    title = _("%(indicator)s, %(period)s, by group") % {
        "indicator": name,
        "period": latest.get("period") or reader.date(latest["observed_on"]),
    }
    bars = [
        charts.Bar(
            f"{reader.label('breakdown', p['dimension'])}: {reader.gettext(p['group'])}",
            float(p["value"]),
            reader.number(p["value"]),
        )
        for p in parts
    ]
    return Figure(
        chart=charts.bar_chart(
            chart_id=chart_id,
            title=title,
            description=_("One bar per group; the figures are also in the table."),
            bars=bars,
        ),
        table=Table(title, [_("Group"), _("Value")], [(b.label, [b.text]) for b in bars]),
    )


def places_table(reader: Reader, rows: Sequence[Mapping[str, Any]]) -> Table:
    """A country's places: statuses of each, and the share of recommendations they cover."""
    _ = reader.gettext
    return Table(
        _("Statuses by place"),
        [
            _("Place"),
            *(reader.label("follow_up_status", s) for s in STATUSES),
            _("Validated"),
            _("Recommendations covered"),
        ],
        [
            (
                reader.place(row["jurisdiction"]),
                [reader.number(row["counts"].get(s, 0)) for s in STATUSES]
                + [
                    reader.number(row["figures"]["validated"]),
                    f"{reader.number(row['recommendations'])} ({reader.percent(row['coverage'])})",
                ],
            )
            for row in rows
        ],
    )


def coverage(reader: Reader, rows: Sequence[Mapping[str, Any]], *, chart_id: str) -> Markup | None:
    """Bars of the share of the recommendations each place gave a status to."""
    if not rows:
        return None
    _ = reader.gettext
    return charts.bar_chart(
        chart_id=chart_id,
        title=_("Share of the recommendations with a status, by place"),
        description=_("One bar per place; the figures are also in the table below."),
        bars=[
            charts.Bar(
                reader.place(r["jurisdiction"]), r["coverage"], reader.percent(r["coverage"])
            )
            for r in rows
        ],
        maximum=1.0,
    )
