"""The compiled annex as CSV, Markdown and HTML (JSON is the annex itself)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import pycountry
from jinja2 import Environment, PackageLoader, select_autoescape

from localrights import csvsafe

STATUS_LABELS = {
    "implemented": "Implemented",
    "partially_implemented": "Partially implemented",
    "in_progress": "In progress",
    "not_started": "Not started",
    "not_applicable": "Not applicable",
}
FOLLOW_UP_LABELS = {
    **STATUS_LABELS,
    "not_local_competence": "Not a local competence",
}
REVIEW_LABELS = {
    "pending": "awaiting validation",
    "validated": "validated",
    "returned": "returned by the ministry",
}
RESPONSE_LABELS = {
    "supported": "Supported",
    "supported_in_part": "Supported in part",
    "noted": "Noted",
}
REPORT_TYPE_LABELS = {
    "upr_national_report": "UPR national report",
    "upr_midterm_report": "UPR mid-term report",
    "treaty_body_report": "Treaty-body periodic report",
    "vnr": "Voluntary national review",
    "vlr": "Voluntary local review",
    "other": "Report",
}
# What a file is named after: "Italy UPR mid-term 2027 – annex.csv".
_SHORT_REPORT = {
    "upr_national_report": "UPR national report",
    "upr_midterm_report": "UPR mid-term",
    "treaty_body_report": "{mechanism} periodic report",
    "vnr": "VNR",
    "vlr": "VLR",
}

_templates = Environment(
    loader=PackageLoader("localrights_recommendations", "templates"),
    autoescape=select_autoescape(["html", "j2"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def place_name(code: str | None) -> str:
    """ "Canelones", "Italy": ISO 3166 names for the codes input is grouped by."""
    if not code:
        return ""
    entry = (
        pycountry.countries.get(alpha_2=code)
        if len(code) == 2
        else pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    )
    if entry is None:
        return code
    return str(getattr(entry, "common_name", None) or entry.name)


def readable_date(value: str | date | None) -> str:
    """ "31 May 2027"."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.day} {day:%B %Y}"


def readable_moment(value: str | None) -> str:
    """ "7 December 2026 at 07:38 UTC" (the annex's times are UTC)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return f"{readable_date(moment.date())} at {moment:%H:%M} UTC"


def report_label(exercise: dict[str, Any]) -> str:
    return REPORT_TYPE_LABELS.get(exercise.get("report_type") or "", "Report")


def annex_filename(exercise: dict[str, Any], extension: str) -> str:
    """ "Italy UPR mid-term 2027 – annex.html": the country, the report and its year."""
    short = _SHORT_REPORT.get(exercise.get("report_type") or "")
    if short is None:
        what = str(exercise.get("title") or "Report")
    else:
        what = short.format(mechanism=exercise.get("mechanism") or "Treaty-body").strip()
    year = str(exercise.get("deadline") or "")[:4]
    stem = " ".join(p for p in (place_name(exercise.get("country")), what, year) if p)
    safe = "".join(c for c in stem if c.isalnum() or c in " -.,()'").strip()
    return f"{safe or 'annex'} \u2013 annex.{extension}"


def indicator_text(indicator: dict[str, Any]) -> str:
    """ "Households connected: 82 % (2025; women 80, men 84)"."""
    value = indicator.get("value")
    text = str(indicator.get("name", ""))
    if value is not None:
        text += f": {value:g}" if isinstance(value, float) else f": {value}"
        if indicator.get("unit"):
            text += f" {indicator['unit']}"
    details = [str(indicator["period"])] if indicator.get("period") else []
    details += [
        f"{d.get('group')} {d.get('value'):g}"
        if isinstance(d.get("value"), float)
        else f"{d.get('group')} {d.get('value')}"
        for d in indicator.get("disaggregation") or []
    ]
    return text + (f" ({'; '.join(details)})" if details else "")


def trajectory_text(moves: list[dict[str, Any]]) -> str:
    """ "In progress (2026-03-01) → Partially implemented (2027-03-15)"."""
    return " → ".join(
        f"{FOLLOW_UP_LABELS.get(m['status'], m['status'])} ({m['as_of']})" for m in moves
    )


def place_status_text(place: dict[str, Any]) -> str:
    """A place's status line in the annex: reported, its review, validated, carried over."""
    reported = str(place.get("reported_status") or "")
    text: str = FOLLOW_UP_LABELS.get(reported, reported or "—")
    if place.get("reported_as_of"):
        text += f" ({place['reported_as_of']})"
    if place.get("review") in REVIEW_LABELS:
        text += f", {REVIEW_LABELS[place['review']]}"
    if place.get("validated_status"):
        validated = FOLLOW_UP_LABELS.get(place["validated_status"], place["validated_status"])
        text += f"; validated: {validated} ({place.get('validated_as_of')})"
    if place.get("carried_from"):
        text += "; carried over from the earlier cycle"
    return text


def indicator_summary(indicator: dict[str, Any]) -> str:
    """ "Households waiting for social housing (households): baseline 4800 (2024), target
    3000 (2030); Bologna 4120 (2026)"."""
    names = indicator.get("name") or {}
    text = f"{names.get('en') or next(iter(names.values()), '')} ({indicator.get('unit')})"
    ends = []
    if indicator.get("baseline_value") is not None:
        ends.append(f"baseline {indicator['baseline_value']:g} ({indicator.get('baseline_year')})")
    if indicator.get("target_value") is not None:
        ends.append(f"target {indicator['target_value']:g} ({indicator.get('target_year')})")
    latest = [
        f"{place_name(v['jurisdiction'])} {v['value']:g} ({v['period']})"
        for v in indicator["latest"]
    ]
    return (
        text
        + (f": {', '.join(ends)}" if ends else "")
        + (f"; {'; '.join(latest)}" if latest else "")
    )


def consultation_text(results: dict[str, Any] | None) -> str:
    if not results:
        return ""
    title = results.get("title") or {}
    name = title.get("en") or next(iter(title.values()), "consultation")
    return f"{name}: {results.get('response_count', 0)} responses"


def recommendation_label(rec: dict[str, Any]) -> str:
    """ "UPR A/HRC/43/4, para. 148.41"."""
    label = " ".join(str(p) for p in (rec.get("mechanism"), rec.get("document_symbol")) if p)
    return f"{label}, para. {rec['paragraph']}" if rec.get("paragraph") else label


def good_practices(annex: dict[str, Any]) -> list[dict[str, Any]]:
    """Every good practice, by jurisdiction then institution: the report's own annex of them.

    National reports present local good practices apart from the recommendation-by-
    recommendation account, so the compilation gathers them in one list too.
    """
    found = [
        {
            "jurisdiction": group["jurisdiction"],
            "place": place_name(group["jurisdiction"]),
            "institution": item.get("institution_name") or item.get("institution_id"),
            "recommendation": recommendation_label(section["recommendation"]),
            "text": item["good_practice"],
        }
        for section in annex["recommendations"]
        for group in section["jurisdictions"]
        for item in group["inputs"]
        if item.get("good_practice")
    ]
    return sorted(found, key=lambda p: (p["jurisdiction"], str(p["institution"])))


CSV_COLUMNS = (
    "recommendation_id",
    "mechanism",
    "document_symbol",
    "paragraph",
    "recommendation",
    "response",
    "sdg_targets",
    "jurisdiction",
    "institution",
    "status",
    "measures_taken",
    "indicators",
    "good_practice",
    "challenges",
    "evidence_links",
    "consultation",
    "version",
    "submitted_at",
    "place",
)


def _csv_rows(annex: dict[str, Any]) -> Iterable[list[Any]]:
    yield list(CSV_COLUMNS)
    for section in annex["recommendations"]:
        rec = section["recommendation"]
        head = [
            rec["id"],
            rec.get("mechanism"),
            rec.get("document_symbol"),
            rec.get("paragraph"),
            rec.get("text"),
            RESPONSE_LABELS.get(rec.get("response") or "", ""),
            " ".join(rec.get("sdg_targets") or []),
        ]
        if not section["jurisdictions"]:
            yield head + ["", "", "no input"] + [""] * 9
        for group in section["jurisdictions"]:
            for item in group["inputs"]:
                tail = [
                    group["jurisdiction"],
                    item.get("institution_name") or item.get("institution_id"),
                    STATUS_LABELS.get(item["status"], item["status"]),
                    item.get("measures_taken"),
                    "; ".join(indicator_text(i) for i in item.get("indicators") or []),
                    item.get("good_practice"),
                    item.get("challenges"),
                    " ".join(item.get("evidence_links") or []),
                    consultation_text(item.get("consultation_results")),
                    item.get("version"),
                    item.get("submitted_at"),
                    place_name(group["jurisdiction"]),
                ]
                yield head + tail


def to_csv(annex: dict[str, Any]) -> str:
    """One row per input (and one per recommendation nobody answered)."""
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\r\n")
    writer.writerows(_csv_rows(annex))
    return out.getvalue()


def _md(value: object) -> str:
    """Text safe inside Markdown: no raw HTML, no accidental formatting or table breaks."""
    text = "" if value is None else str(value)
    for char in ("\\", "`", "*", "_", "[", "]", "<", ">", "|", "#"):
        text = text.replace(char, f"\\{char}")
    return " ".join(text.split())


def to_markdown(annex: dict[str, Any]) -> str:
    """Headings per recommendation and jurisdiction, a figures table first."""
    ex, figures = annex["exercise"], annex["figures"]
    lines = [
        f"# {_md(ex['title'])}",
        "",
        f"Annex of local input — {_md(report_label(ex))}, {_md(place_name(ex['country']))}, "
        f"deadline {readable_date(ex['deadline'])}. "
        f"Generated {readable_moment(annex['generated_at'])}.",
        "",
        "| Figure | Value |",
        "|---|---|",
        f"| Recommendations | {figures['recommendations']} |",
        f"| Institutions invited | {figures['institutions_invited']} |",
        f"| Institutions that answered | {figures['institutions_answered']} "
        f"({figures['institution_response_rate']:.0%}) |",
        f"| Recommendations with input | {figures['recommendations_with_input']} "
        f"({figures['recommendation_coverage']:.0%}) |",
        f"| Inputs | {figures['inputs']} |",
    ]
    for status, count in figures["by_status"].items():
        lines.append(f"| {STATUS_LABELS[status]} | {count} |")
    for section in annex["recommendations"]:
        rec = section["recommendation"]
        label = " ".join(
            _md(p)
            for p in (rec.get("mechanism"), rec.get("document_symbol"), rec.get("paragraph"))
            if p
        )
        lines += ["", f"## {label}", "", f"> {_md(rec.get('text'))}", ""]
        meta = []
        if rec.get("response"):
            meta.append(f"Response: {RESPONSE_LABELS.get(rec['response'], rec['response'])}")
        if rec.get("sdg_targets"):
            meta.append("SDG targets: " + ", ".join(rec["sdg_targets"]))
        if meta:
            lines += ["; ".join(meta), ""]
        if not section["jurisdictions"]:
            lines.append("*No local input.*")
        for group in section["jurisdictions"]:
            lines += [f"### {_md(place_name(group['jurisdiction']))}", ""]
            for item in group["inputs"]:
                who = _md(item.get("institution_name") or item.get("institution_id"))
                lines.append(f"- **{who}** — {STATUS_LABELS.get(item['status'], item['status'])}")
                for key, title in (
                    ("measures_taken", "Measures taken"),
                    ("good_practice", "Good practice"),
                    ("challenges", "Challenges"),
                ):
                    if item.get(key):
                        lines.append(f"  - {title}: {_md(item[key])}")
                for indicator in item.get("indicators") or []:
                    lines.append(f"  - Indicator: {_md(indicator_text(indicator))}")
                for link in item.get("evidence_links") or []:
                    lines.append(f"  - Evidence: <{link.replace('>', '%3E')}>")
                if item.get("consultation_results"):
                    lines.append(
                        f"  - Consultation: {_md(consultation_text(item['consultation_results']))}"
                    )
            lines.append("")
        follow_up = section.get("follow_up") or {}
        if follow_up.get("places") or follow_up.get("indicators"):
            lines += ["### Follow-up since the last cycle", ""]
            for earlier in follow_up.get("repeats") or []:
                lines.append(f"- Repeats session {earlier['session']}: {_md(earlier['text'])}")
            for place in follow_up.get("places") or []:
                where = place_name(place["jurisdiction"])
                who = _md(place.get("institution_name") or where)
                lines.append(f"- **{who}** ({_md(where)}): {_md(place_status_text(place))}")
                if place.get("trajectory"):
                    lines.append(
                        f"  - Since the last cycle: {_md(trajectory_text(place['trajectory']))}"
                    )
            for indicator in follow_up.get("indicators") or []:
                lines.append(f"- Indicator: {_md(indicator_summary(indicator))}")
            lines.append("")
    practices = good_practices(annex)
    if practices:
        lines += ["", "## Annex: local good practices", ""]
        for practice in practices:
            lines.append(
                f"- **{_md(practice['institution'])}** ({_md(practice['place'])}), "
                f"on {_md(practice['recommendation'])}: {_md(practice['text'])}"
            )
    return "\n".join(lines).rstrip() + "\n"


def to_html(annex: dict[str, Any]) -> str:
    """A readable, printable page (escaped by Jinja2's autoescape)."""
    return _templates.get_template("compilation.html.j2").render(
        annex=annex,
        good_practices=good_practices(annex),
        recommendation_label=recommendation_label,
        place_name=place_name,
        report_label=report_label,
        readable_date=readable_date,
        readable_moment=readable_moment,
        status_labels=STATUS_LABELS,
        response_labels=RESPONSE_LABELS,
        indicator_text=indicator_text,
        consultation_text=consultation_text,
        place_status_text=place_status_text,
        trajectory_text=trajectory_text,
        indicator_summary=indicator_summary,
    )
