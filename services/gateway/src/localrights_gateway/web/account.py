"""Signing in and out of the pages (the token comes from POST /api/v1/auth/token)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from localrights_gateway.web import security
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.backoffice import sessions
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.rendering import (
    Page,
    PageDep,
    PageRoute,
    first,
    form_data,
    with_retry_after,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def safe_next(target: str | None) -> str | None:
    """A local path to go back to after signing in; never another site (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def home_of(me: dict[str, Any] | None) -> str:
    """Each role's own start page (what needs doing), never the residents' home page."""
    roles = set((me or {}).get("roles", []))
    if "ministry_officer" in roles:
        return "/ministry"
    if "institution_officer" in roles:
        return "/officer"
    if roles & {"alert_publisher", "admin"}:
        return "/publisher"
    return "/"


async def require_signed_in(page: Page, *roles: str) -> dict[str, Any]:
    """The signed-in officer (with one of ``roles`` when given); else off to the sign-in page."""
    me = await page.me()
    if me is None:
        raise ApiError(401, "Not authenticated", "sign in to see this page")
    held = set(me.get("roles", []))
    if roles and not (held & set(roles)) and "admin" not in held:
        raise ApiError(403, "Forbidden", page.gettext("Your account cannot use this page."))
    return me


@router.get("/login")
async def login_form(page: PageDep, next: str = "", expired: str = "") -> Response:
    """The sign-in form for institution and ministry officers."""
    notice = page.gettext("Your session has ended. Please sign in again.") if expired else None
    return await page.render(
        "login.html", next=safe_next(next) or "", email="", notice=notice, me=None
    )


@router.post("/login")
async def login(page: PageDep) -> Response:
    """Exchange the e-mail and password for a token kept in an HttpOnly cookie."""
    form = await form_data(page.request)
    email, password = first(form, "email"), (form.get("password") or [""])[0]
    target = safe_next(first(form, "next"))
    resume_to, resume_fields = sessions.resumed(form)
    resume_to = safe_next(resume_to)
    errors = []
    refused: ApiError | None = None
    if not email:
        errors.append(FieldError("email", "", page.gettext("Enter your e-mail address.")))
    if not password:
        errors.append(FieldError("password", "", page.gettext("Enter your password.")))
    if not errors:
        try:
            token = await page.api.post(
                "/auth/token", data={"username": email, "password": password}
            )
        except ApiError as exc:
            if exc.status == 401:
                errors.append(
                    FieldError(
                        "email",
                        "",
                        page.gettext("The e-mail address or the password is not right."),
                    )
                )
            elif exc.status == 429:
                refused = exc
                errors.append(
                    FieldError(
                        "email",
                        "",
                        page.gettext(
                            "Too many attempts. Please wait a minute before trying again."
                        ),
                    )
                )
            elif exc.status == 422:
                errors.append(
                    FieldError("email", "", page.gettext("Enter your e-mail address and password."))
                )
            else:
                raise
        else:
            page.token = str(token["access_token"])
            page.api.token = page.token
            me = await page.me()
            if resume_to and resume_fields:
                # Signed in again with a form kept: one button sends it where it was going.
                response = await page.render(
                    "resume.html", me=me, resume_to=resume_to, resume_fields=resume_fields
                )
            else:
                response = page.redirect(target or home_of(me))
            security.set_cookie(
                response,
                page.request,
                security.SESSION_COOKIE,
                page.token,
                max_age=int(token.get("expires_in") or 900),
                secure=page.settings.secure_cookies,
            )
            return response
    response = await page.render(
        "login.html",
        status_code=(refused.status if refused else 422) if errors else 200,
        errors=errors,
        email=email,
        next=target or "",
        me=None,
        resume_to=resume_to or "",
        resume_fields=resume_fields,
    )
    return with_retry_after(response, refused)


@router.post("/logout")
async def logout(page: PageDep) -> Response:
    """Forget the token (the cookie); the JWT itself expires on its own shortly after."""
    await form_data(page.request)
    page.clear_session = True
    return page.redirect("/")
