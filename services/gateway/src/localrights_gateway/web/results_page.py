"""A consultation's published results: charts with their tables, groups side by side."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web import results_view
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.rendering import PageDep, PageRoute
from localrights_gateway.web.residents import about, content_language, questions_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/consultations/{consultation_id}/results")
async def results_page(consultation_id: UUID, page: PageDep, by: str = "") -> Response:
    """Published results for everyone together, or with the groups of one question side by
    side; the owner sees them live before publishing."""
    consultation = await page.api.get(f"/consultations/{consultation_id}")
    clang = content_language(page.request, consultation, page.language)
    questions = questions_of(consultation)
    demographic = [q for q in questions if q.get("demographic")]
    chosen = by if by in {str(q["id"]) for q in demographic} else ""
    results: dict[str, Any] | None = None
    try:
        results = await page.api.get(f"/consultations/{consultation_id}/results", by=chosen)
    except ApiError as exc:
        if exc.status not in (403, 404, 409):
            raise
    institution, _targets = await about(page, consultation)
    ctx = results_view.Context(
        questions={str(q["id"]): q for q in questions},
        content_language=clang,
        language=page.language,
        _=page.gettext,
    )
    views: list[results_view.QuestionView] = []
    groups: list[results_view.Group] = []
    if results and not results["overall"].get("suppressed"):
        figures = results["overall"]["questions"]
        if chosen:
            groups = results_view.groups_of(ctx, results, chosen)
            views = [results_view.side_by_side(ctx, f, groups) for f in figures]
        else:
            views = [results_view.everyone(ctx, f) for f in figures]
    return await page.render(
        "results.html",
        consultation=consultation,
        institution=institution,
        clang=clang,
        results=results,
        views=views,
        groups=groups,
        demographic_questions=demographic,
        by=chosen,
        by_title=ctx.pick(next((q["title"] for q in demographic if q["id"] == chosen), None)),
    )
