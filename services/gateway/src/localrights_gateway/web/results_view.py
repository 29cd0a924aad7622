"""A consultation's results as the page shows them: per question a chart and its table.

Everyone together: one bar per option (share and count), per rating point, per ranked
option (points) or per budget project (amount). Side by side: for a demographic question,
the groups as series of each chart and as columns of each table, everyone first for
reference. The API's figures are taken as they are (small groups already suppressed); this
module only names, formats and arranges them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from localrights_gateway.web import charts, formatting, i18n

Gettext = Callable[[str], str]


@dataclass
class Table:
    caption: str
    headers: list[str]  # the first names the row headers' column
    rows: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class QuestionView:
    id: str
    title: str
    answered: str
    summary: str = ""
    chart: Markup | None = None
    table: Table | None = None
    note: str = ""


@dataclass
class Context:
    """What every question needs: the definition's labels and the reader's languages."""

    questions: Mapping[str, Mapping[str, Any]]
    content_language: str
    language: str
    _: Gettext

    def pick(self, text: Mapping[str, str] | None) -> str:
        return i18n.pick_text(text, self.content_language, [i18n.DEFAULT_LANGUAGE])

    def number(self, value: float | int | None) -> str:
        return formatting.format_number(value, self.language)

    def percent(self, share: float | None) -> str:
        return formatting.format_percent(share, self.language)

    def item_label(self, question_id: str, item_id: Any) -> str:
        """An option's, project's or group's name (``no_answer``/``suppressed`` included)."""
        special = {
            "no_answer": self._("Did not say"),
            "suppressed": self._("Smaller groups together"),
        }
        if item_id in special:
            return special[item_id]
        question = self.questions.get(question_id, {})
        for item in question.get("options") or question.get("projects") or []:
            if str(item.get("id")) == str(item_id):
                return self.pick(item.get("label"))
        return str(item_id)

    def people(self, count: int) -> str:
        return self._("%(n)s people") % {"n": self.number(count)}


def _answered(ctx: Context, figures: Mapping[str, Any]) -> str:
    return ctx._("%(n)s people answered this question.") % {"n": ctx.number(figures["responses"])}


def _rating_label(ctx: Context, question: Mapping[str, Any], value: int) -> str:
    """ "1 = Not at all" at the ends of a scale that names them, else the number."""
    if value == question.get("min", 1) and question.get("min_label"):
        return f"{value} = {ctx.pick(question['min_label'])}"
    if value == question.get("max", 5) and question.get("max_label"):
        return f"{value} = {ctx.pick(question['max_label'])}"
    return str(value)


def _share_text(ctx: Context, share: float, count: int) -> str:
    return f"{ctx.percent(share)} ({ctx.number(count)})"


def _shares(
    ctx: Context,
    view: QuestionView,
    chart_id: str,
    description: str,
    heading: str,
    rows: Sequence[tuple[str, float, int]],
) -> None:
    """Bars of (name, share, count) rows, and their table: name, people, share."""
    view.chart = charts.bar_chart(
        chart_id=chart_id,
        title=view.title,
        description=description,
        bars=[charts.Bar(name, share, _share_text(ctx, share, n)) for name, share, n in rows],
        maximum=1.0,
    )
    view.table = Table(
        view.title,
        [heading, ctx._("People"), ctx._("Share")],
        [(name, [ctx.number(n), ctx.percent(share)]) for name, share, n in rows],
    )


def everyone(ctx: Context, figures: Mapping[str, Any]) -> QuestionView:
    """One question's figures for everyone together: a bar chart and its table."""
    qid = str(figures["question_id"])
    question = ctx.questions.get(qid, {})
    title = ctx.pick(figures.get("title") or question.get("title"))
    view = QuestionView(id=qid, title=title, answered=_answered(ctx, figures))
    kind = figures.get("type")
    chart_id = f"chart-{qid}"
    if kind in ("single_choice", "multiple_choice"):
        _shares(
            ctx,
            view,
            chart_id,
            ctx._("The share of people who chose each option."),
            ctx._("Option"),
            [(ctx.item_label(qid, o["id"]), o["share"], o["count"]) for o in figures["options"]],
        )
        if kind == "multiple_choice":
            view.note = ctx._("People could choose several options, so shares add up to more.")
    elif kind == "rating":
        points = figures["distribution"]
        mean = figures.get("mean")
        view.summary = ctx._("Average: %(mean)s, on a scale from %(min)s to %(max)s.") % {
            "mean": ctx.number(round(mean, 1)) if mean is not None else "–",
            "min": points[0]["value"] if points else "",
            "max": points[-1]["value"] if points else "",
        }
        _shares(
            ctx,
            view,
            chart_id,
            ctx._("The share of people who gave each point of the scale."),
            ctx._("Rating"),
            [(_rating_label(ctx, question, p["value"]), p["share"], p["count"]) for p in points],
        )
    elif kind == "ranking":
        ranked = sorted(figures["options"], key=lambda o: -o["score"])
        view.note = ctx._(
            "Score: an option ranked first by one person gets as many points as there are "
            "options; unranked options get none."
        )
        view.chart = charts.bar_chart(
            chart_id=chart_id,
            title=title,
            description=ctx._("The points each option received, the most first."),
            bars=[
                charts.Bar(
                    ctx.item_label(qid, o["id"]),
                    o["score"],
                    ctx._("%(n)s points") % {"n": ctx.number(o["score"])},
                )
                for o in ranked
            ],
        )
        view.table = Table(
            title,
            [ctx._("Option"), ctx._("Score"), ctx._("Ranked by"), ctx._("Average position")],
            [
                (
                    ctx.item_label(qid, o["id"]),
                    [
                        ctx.number(o["score"]),
                        ctx.number(o["ranked_by"]),
                        ctx.number(round(o["mean_position"], 1))
                        if o.get("mean_position") is not None
                        else "–",
                    ],
                )
                for o in ranked
            ],
        )
    elif kind == "budget":
        currency = figures.get("currency") or ""
        view.summary = ctx._("Total given by everyone: %(given)s %(currency)s.") % {
            "given": ctx.number(figures.get("total_allocated", 0)),
            "currency": currency,
        }
        projects = figures["projects"]
        view.chart = charts.bar_chart(
            chart_id=chart_id,
            title=title,
            description=ctx._("The amount people gave each project, in total."),
            bars=[
                charts.Bar(
                    ctx.item_label(qid, p["id"]),
                    p["total"],
                    f"{ctx.number(p['total'])} {currency} ({ctx.percent(p['share'])})",
                )
                for p in projects
            ],
        )
        view.table = Table(
            title,
            [
                ctx._("Project"),
                ctx._("Total given"),
                ctx._("Supporters"),
                ctx._("Average per person"),
            ],
            [
                (
                    ctx.item_label(qid, p["id"]),
                    [
                        f"{ctx.number(p['total'])} {currency}",
                        ctx.number(p["supporters"]),
                        ctx.number(round(p["mean"])) if p.get("mean") is not None else "–",
                    ],
                )
                for p in projects
            ],
        )
    else:
        view.note = ctx._(
            "Written answers are not published: the institution reads them, and they could "
            "name or recognise someone."
        )
    return view


@dataclass
class Group:
    name: str
    responses: int
    questions: dict[str, Mapping[str, Any]]


def groups_of(ctx: Context, results: Mapping[str, Any], by: str) -> list[Group]:
    """Everyone, then each group shown, named, with its figures per question."""
    found = [
        Group(
            ctx._("Everyone"),
            results["overall"]["responses"],
            {q["question_id"]: q for q in results["overall"]["questions"]},
        )
    ]
    for group in results.get("groups", []):
        if group.get("suppressed"):
            continue
        name = ctx.item_label(by, group["group"])
        found.append(
            Group(name, group["responses"], {q["question_id"]: q for q in group["questions"]})
        )
    return found


def side_by_side(ctx: Context, figures: Mapping[str, Any], groups: Sequence[Group]) -> QuestionView:
    """One question with the groups side by side: a grouped chart, groups as columns."""
    qid = str(figures["question_id"])
    question = ctx.questions.get(qid, {})
    title = ctx.pick(figures.get("title") or question.get("title"))
    view = QuestionView(id=qid, title=title, answered=_answered(ctx, figures))
    kind = figures.get("type")
    names = [f"{g.name} ({ctx.people(g.responses)})" for g in groups]
    headers = [ctx._("Option"), *names]
    of = [g.questions.get(qid, {}) for g in groups]
    chart_id = f"chart-{qid}-groups"
    if kind in ("single_choice", "multiple_choice", "budget", "ranking"):
        key = "projects" if kind == "budget" else "options"
        items = [str(item["id"]) for item in figures.get(key, [])]

        def cell(group_figures: Mapping[str, Any], item: str, size: int) -> tuple[float, str]:
            found = next((i for i in group_figures.get(key, []) if str(i["id"]) == item), None)
            if found is None:
                return 0.0, "–"
            if kind == "ranking":
                per_person = found["score"] / size if size else 0.0
                return per_person, ctx.number(round(per_person, 1))
            if kind == "budget":
                return found["share"], f"{ctx.percent(found['share'])}"
            return found["share"], _share_text(ctx, found["share"], found["count"])

        cells = [
            [cell(f, item, g.responses) for f, g in zip(of, groups, strict=True)] for item in items
        ]
        description = {
            "ranking": ctx._("Points per person each option received, by group."),
            "budget": ctx._("The share of the money each project received, by group."),
        }.get(kind, ctx._("The share of each group who chose each option."))
        view.chart = charts.grouped_bar_chart(
            chart_id=chart_id,
            title=title,
            description=description,
            categories=[ctx.item_label(qid, item) for item in items],
            series=[
                charts.Series(name, [charts.Bar(name, row[i][0], row[i][1]) for row in cells])
                for i, name in enumerate(g.name for g in groups)
            ],
            maximum=None if kind == "ranking" else 1.0,
        )
        view.table = Table(
            title,
            headers,
            [
                (ctx.item_label(qid, item), [text for _value, text in row])
                for item, row in zip(items, cells, strict=True)
            ],
        )
        if kind == "ranking":
            view.note = ctx._("Points per person, so that groups of different sizes compare.")
    elif kind == "rating":
        values = [p["value"] for p in figures["distribution"]]
        top = float(values[-1]) if values else 5.0
        means = [f.get("mean") for f in of]
        view.summary = ctx._("The average of each group, on a scale from %(min)s to %(max)s.") % {
            "min": values[0] if values else "",
            "max": values[-1] if values else "",
        }
        view.chart = charts.bar_chart(
            chart_id=chart_id,
            title=title,
            description=ctx._("The average rating of each group."),
            bars=[
                charts.Bar(g.name, m or 0.0, ctx.number(round(m, 1)) if m is not None else "–")
                for g, m in zip(groups, means, strict=True)
            ],
            maximum=top,
        )
        rows = [
            (
                _rating_label(ctx, question, value),
                [
                    next(
                        (
                            _share_text(ctx, p["share"], p["count"])
                            for p in f.get("distribution", [])
                            if p["value"] == value
                        ),
                        "–",
                    )
                    for f in of
                ],
            )
            for value in values
        ]
        rows.append(
            (
                ctx._("Average"),
                [ctx.number(round(m, 1)) if m is not None else "–" for m in means],
            )
        )
        view.table = Table(title, [ctx._("Rating"), *names], rows)
    else:
        view.note = ctx._(
            "Written answers are not published: the institution reads them, and they could "
            "name or recognise someone."
        )
    return view
