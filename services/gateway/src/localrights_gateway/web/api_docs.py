"""The API documentation, served by the platform itself: Swagger UI's own files come from the
``swagger-ui-bundle-v2`` package (Apache-2.0, its licence in the package), started by a
script of ours, so /docs works on a machine without internet and needs no inline script.

``install`` adds these routes (the gateway's app has no FastAPI docs routes, which would load
Swagger UI from a CDN) and mounts the bundle at /static/swagger-ui, before /static itself.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from localrights_gateway.web import i18n
from localrights_gateway.web.rendering import environment

SWAGGER_UI = "/static/swagger-ui"
# Swagger UI draws with inline style attributes; nothing else is loosened.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _language(request: Request) -> str:
    return i18n.negotiate(
        query=request.query_params.get("lang"),
        cookie=request.cookies.get(i18n.LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
        default=i18n.DEFAULT_LANGUAGE,
    )


async def docs_page(request: Request) -> Response:
    """Swagger UI over this gateway's merged OpenAPI document."""
    language = _language(request)
    html = (
        environment(language).get_template("docs.html").render(lang=language, swagger_ui=SWAGGER_UI)
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_CSP})


async def oauth2_redirect(_request: Request) -> Response:
    """Where Swagger UI's "Authorize" returns (the bundle's own page and script)."""
    page = (Path(str(swagger_ui_path)) / "oauth2-redirect.html").read_text()
    page = page.replace('src="oauth2-redirect.js"', f'src="{SWAGGER_UI}/oauth2-redirect.js"')
    return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_CSP})


async def redoc(_request: Request) -> Response:
    """One documentation page: ReDoc's address leads to it."""
    return RedirectResponse("/docs", status_code=308)


def install(app: FastAPI) -> None:
    """Serve /docs, its OAuth2 return page and /redoc, and Swagger UI's files."""
    app.mount(SWAGGER_UI, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
    app.add_route("/docs", docs_page, include_in_schema=False)
    app.add_route("/docs/oauth2-redirect", oauth2_redirect, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)
