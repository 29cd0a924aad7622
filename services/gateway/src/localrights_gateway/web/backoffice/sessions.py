"""A session that lasts while the officer works, and text typed before it ended kept.

Renewal (sliding): a page request whose session token has used more than half of its life
asks the API for a fresh one (POST /api/v1/auth/refresh), which is refused once the account
is disabled, its access changed or the session passed GATEWAY_SESSION_MAX_SECONDS since the
password was given: renewal never outlives revocation. Typing counts as working too: on
signed-in pages site.js calls POST /session/renew at most every few minutes while a form is
being filled in, so a long text does not outlast the session.

Kept text: a form sent after the session ended (the cookie expired, or the token was
refused) is answered with the sign-in form carrying what was typed in hidden fields; once
signed in, one button sends it where it was going. Nothing is stored on the server and
nothing goes into a URL; only a file chosen for upload cannot be carried and must be
chosen again. This was preferred to keeping drafts in the browser's sessionStorage because
it needs no JavaScript and cannot leave an officer's text behind on a shared computer.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import jwt
from fastapi import Request
from starlette.datastructures import UploadFile

from localrights_gateway.web import security
from localrights_gateway.web.client import Api, ApiError

RESUME_PREFIX = "resume."
RESUME_TO = "resume_to"
# Fields never carried back: the form's old CSRF token (a fresh one is given) and secrets.
_NOT_KEPT = frozenset({security.CSRF_FIELD, "password"})


class RenewablePage(Protocol):
    """What renewal needs of a page request (``web.rendering.Page`` is one)."""

    token: str | None
    api: Api
    renewed: tuple[str, int] | None


def renewal_due(token: str, *, now: float | None = None) -> bool:
    """Whether a token has used more than half of its life (read, not verified: the API
    verifies it when asked to renew it)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        issued, expires = float(claims["iat"]), float(claims["exp"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return False
    return (now or time.time()) > issued + (expires - issued) / 2


async def renew_if_due(page: RenewablePage) -> None:
    """Swap the session for a fresh token when half of it is used; keep it if refused."""
    if page.token is None or not renewal_due(page.token):
        return
    await renew(page)


async def renew(page: RenewablePage) -> bool:
    try:
        fresh = await page.api.post("/auth/refresh")
    except ApiError as exc:
        if exc.status in (401, 429):
            return False  # the session goes on until it ends; then the officer signs in
        raise
    page.token = str(fresh["access_token"])
    page.api.token = page.token
    page.renewed = (page.token, int(fresh.get("expires_in") or 900))
    return True


async def kept_fields(request: Request) -> list[tuple[str, str]]:
    """What a refused form held, to carry through signing in (files cannot be)."""
    if request.method != "POST":
        return []
    try:
        form = await request.form()
    except Exception:  # not a form at all
        return []
    kept = []
    for name, value in form.multi_items():
        if name in _NOT_KEPT or isinstance(value, UploadFile):
            continue
        kept.append((name, str(value)))
    return kept


def had_file(fields: Any) -> bool:
    return any(isinstance(v, UploadFile) for _, v in fields)


def resumed(form: dict[str, list[str]]) -> tuple[str | None, list[tuple[str, str]]]:
    """From a sign-in form: where the kept form was going, and its fields."""
    target = (form.get(RESUME_TO) or [""])[0]
    fields = [
        (name[len(RESUME_PREFIX) :], value)
        for name, values in form.items()
        if name.startswith(RESUME_PREFIX)
        for value in values
    ]
    return (target or None), fields
