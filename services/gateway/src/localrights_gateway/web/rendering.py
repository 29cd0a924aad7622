"""What every page shares: the language, the API client, the cookies, the templates."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from localrights.app import API_PREFIX
from localrights_gateway.web import charts, formatting, i18n, labels, places, security
from localrights_gateway.web.backoffice import sessions
from localrights_gateway.web.client import Api, ApiError, web_settings
from localrights_gateway.web.error_texts import EXPLAINED

TEMPLATES_DIR = i18n.PACKAGE_DIR / "templates"

# Pages are answered with the same strict policy as the API: no inline script or style,
# nothing from another origin. Set here too, so pages stay safe wherever they are mounted.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    # Pages can show a signed-in officer's data: never kept by shared caches.
    "Cache-Control": "no-store",
}


@cache
def environment(language: str) -> Environment:
    """The Jinja2 environment of one interface language (autoescaping every template)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    translations = i18n.translations(language)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["pick"] = lambda text, lang: i18n.pick_text(text, lang, [i18n.DEFAULT_LANGUAGE])
    env.filters["number"] = lambda value: formatting.format_number(value, language)
    env.filters["percent"] = lambda share: formatting.format_percent(share, language)
    # Places and moments by name, never by code: {{ c.jurisdiction | place(c.municipality) }},
    # {{ c.closes_at | moment(c.jurisdiction) }} -> "21 January 2027 at 23:59 (Uruguay Time)".
    env.filters["place"] = lambda code, municipality=None: places.place_name(
        code, language, municipality
    )
    env.filters["full_place"] = lambda code, municipality=None: places.full_name(
        code, language, municipality
    )
    env.filters["date"] = lambda value, place=None: formatting.format_date(value, language, place)
    env.filters["moment"] = lambda value, place=None: moment(value, language, place)
    env.filters["future"] = formatting.is_future
    env.globals["label"] = lambda kind, value: labels.label(kind, value, translations.gettext)
    env.globals["label_choices"] = lambda kind: labels.choices(kind, translations.gettext)
    env.globals["language_name"] = i18n.language_name
    env.globals["text_direction"] = i18n.text_direction
    env.globals["api"] = API_PREFIX  # links to the JSON API: {{ api }}/consultations/...
    env.globals.update(
        bar_chart=charts.bar_chart,
        grouped_bar_chart=charts.grouped_bar_chart,
        line_chart=charts.line_chart,
        Bar=charts.Bar,
        Series=charts.Series,
        Point=charts.Point,
    )
    return env


def moment(value: Any, language: str, place: str | None = None) -> str:
    """A date and time with its zone, as the reader writes them."""
    day = formatting.format_date(value, language, place)
    time = formatting.format_time(value, language, place)
    if not time:
        return day
    pattern = i18n.translations(language).gettext("%(date)s at %(time)s")
    return pattern % {"date": day, "time": time}


class Page:
    """One page request: its language, identity, API client and cookies to set."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.settings = web_settings(request.app)
        query_lang = request.query_params.get("lang")
        self.language = i18n.negotiate(
            query=query_lang,
            cookie=request.cookies.get(i18n.LANGUAGE_COOKIE),
            accept_language=request.headers.get("accept-language"),
            default=self.settings.default_language,
        )
        self.save_language = bool(query_lang) and query_lang == self.language
        self.csrf_secret, self.new_csrf = security.csrf_secret(request)
        self.token = request.cookies.get(security.SESSION_COOKIE) or None
        self.api = Api(request, token=self.token, language=self.language)
        self.translations = i18n.translations(self.language)
        self._me: dict[str, Any] | None = None
        self.clear_session = False
        # A fresh session token and its lifetime, when this request renewed the session.
        self.renewed: tuple[str, int] | None = None

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    _ = gettext

    @property
    def csrf_token(self) -> str:
        return security.csrf_token(self.request, self.csrf_secret)

    async def me(self) -> dict[str, Any] | None:
        """Who is signed in (GET /api/v1/me), or None for a resident."""
        if self.token is None:
            return None
        if self._me is None:
            try:
                me = await self.api.get("/me")
            except ApiError as exc:
                if exc.status == 401:
                    self.token = None
                    self.api.token = None
                    self.clear_session = True
                    return None
                raise
            self._me = me if isinstance(me, dict) and me.get("kind") != "anonymous" else None
            if self._me is not None:
                await sessions.renew_if_due(self)
        return self._me

    def url(self, path: str, **params: Any) -> str:
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return path + ("?" + urlencode(clean, doseq=True) if clean else "")

    def finish(self, response: Response) -> Response:
        """Headers and cookies every page answer carries."""
        for name, value in PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
        secure = self.settings.secure_cookies
        if self.new_csrf:
            security.set_cookie(
                response,
                self.request,
                security.CSRF_COOKIE,
                self.csrf_secret,
                max_age=None,
                secure=secure,
            )
        if self.save_language:
            security.set_cookie(
                response,
                self.request,
                i18n.LANGUAGE_COOKIE,
                self.language,
                max_age=365 * 86400,
                secure=secure,
            )
        if self.clear_session:
            security.clear_cookie(response, self.request, security.SESSION_COOKIE, secure)
        elif self.renewed is not None:
            token, lifetime = self.renewed
            security.set_cookie(
                response,
                self.request,
                security.SESSION_COOKIE,
                token,
                max_age=lifetime,
                secure=secure,
            )
        return response

    async def render(self, template: str, *, status_code: int = 200, **context: Any) -> Response:
        me = context.pop("me", None) or (await self.me() if self.token else None)
        values = {
            "lang": self.language,
            "dir": i18n.text_direction(self.language),
            "languages": i18n.LANGUAGES,
            "csrf_field": security.CSRF_FIELD,
            "csrf_token": self.csrf_token,
            "me": me,
            "roles": set(me.get("roles", [])) if me else set(),
            "path": self.request.url.path,
            "query": dict(self.request.query_params),
            "page_url": self.url,
            "errors": [],
            "notice": None,
            "resume_to": "",
            "resume_fields": [],
            # A page answering a POST (a form shown again with its mistakes): site.js turns
            # its history entry into a GET, so Back later reloads the page instead of
            # asking to resend the form.
            "replace_history": self.request.method == "POST",
            **context,
        }
        html = environment(self.language).get_template(template).render(values)
        return self.finish(HTMLResponse(html, status_code=status_code))

    def redirect(self, url: str) -> Response:
        return self.finish(RedirectResponse(url, status_code=303))


async def page(request: Request) -> Page:  # async: no worker-thread hop
    return Page(request)


PageDep = Annotated[Page, Depends(page)]


async def explained(page: Page, status: int, *, api_detail: str = "", **context: Any) -> Response:
    """The page of a status (``error_texts.EXPLAINED``): what happened, what to do, a way on."""
    title, what, next_step = EXPLAINED.get(status, EXPLAINED[500])
    return await page.render(
        "error.html",
        status_code=status,
        kind="status",
        status=status,
        title=page.gettext(title),
        detail=page.gettext(what),
        next_step=page.gettext(next_step),
        api_detail=api_detail,
        **context,
    )


async def error_page(request: Request, exc: Exception) -> Response:
    """The page for a failed call (API error, expired form, signed-out officer)."""
    current = Page(request)
    if isinstance(exc, security.CsrfError):
        return await current.render("error.html", status_code=403, kind="csrf", status=403)
    assert isinstance(exc, ApiError)
    if exc.status == 401:
        # The token expired or was revoked: sign in again and come back here, with what a
        # form held when it was sent (see backoffice/sessions.py).
        current.clear_session = True
        if request.method == "POST":
            return await current.render(
                "login.html",
                status_code=401,
                me=None,
                email="",
                next="",
                notice=current.gettext(
                    "Your session ended before this form was sent. Sign in again: what "
                    "you wrote is kept, and you send it once you are signed in."
                ),
                resume_to=request.url.path,
                resume_fields=await sessions.kept_fields(request),
            )
        had_session = security.SESSION_COOKIE in request.cookies
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return current.redirect(
            current.url("/login", next=here, expired=1 if had_session else None)
        )
    status = exc.status if exc.status in EXPLAINED else 502
    # The API's own words only where they tell an officer which rule refused the step.
    api_detail = exc.detail if status in (409, 422) else ""
    response = await explained(current, status, api_detail=api_detail, me=None)
    return with_retry_after(response, exc)


def with_retry_after(response: Response, exc: ApiError | None) -> Response:
    """Pass on when to try again, for a page answering an API refusal (429, 503)."""
    if exc is not None and exc.retry_after:
        response.headers["Retry-After"] = exc.retry_after
    return response


class PageRoute(APIRoute):
    """A route whose API failures and CSRF refusals become readable pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except (ApiError, security.CsrfError) as exc:
                return await error_page(request, exc)

        return handle


async def form_data(request: Request) -> dict[str, list[str]]:
    """The submitted form, every field as a list, after the CSRF check."""
    form = await request.form()
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    first = values.get(security.CSRF_FIELD, [None])[0]
    security.check_csrf(request, first)
    return values


def first(form: dict[str, list[str]], name: str, default: str = "") -> str:
    return (form.get(name) or [default])[0].strip()
