"""Cookies of the pages: the signed-in user's token, the CSRF secret, and their checks.

Session: the JWT from POST /api/v1/auth/token, kept in an HttpOnly, SameSite=Lax cookie
(Secure over https), so page scripts never see it and other sites' forms never send it.

CSRF: signed double submit. A random secret lives in its own HttpOnly cookie; each form
carries HMAC(key, secret), which only this server can compute. A cross-site form can neither
read the cookie nor forge the MAC, and SameSite=Lax already keeps the session cookie off its
POSTs; the two together also cover older browsers that ignore SameSite.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

SESSION_COOKIE = "lr_session"
CSRF_COOKIE = "lr_csrf"
CSRF_FIELD = "csrf_token"
_KEY_STATE = "web_csrf_key"


class CsrfError(Exception):
    """A form came without a valid CSRF token."""


def _key(request: Request) -> bytes:
    key: bytes | None = getattr(request.app.state, _KEY_STATE, None)
    if key is None:
        settings = getattr(request.app.state, "settings", None)
        derive = getattr(settings, "derived_key", None)
        # Derived from the gateway's secret, so every replica accepts every replica's forms.
        key = derive("web-csrf") if callable(derive) else secrets.token_bytes(32)
        setattr(request.app.state, _KEY_STATE, key)
    return key


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def csrf_secret(request: Request) -> tuple[str, bool]:
    """The browser's CSRF secret and whether it is new (then it must be set as a cookie)."""
    existing = request.cookies.get(CSRF_COOKIE, "")
    if 20 <= len(existing) <= 100:
        return existing, False
    return secrets.token_urlsafe(32), True


def csrf_token(request: Request, secret: str) -> str:
    return hmac.new(_key(request), secret.encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, submitted: str | None) -> None:
    """Raise CsrfError unless the form's token matches the browser's secret cookie."""
    secret = request.cookies.get(CSRF_COOKIE)
    if not secret or not submitted:
        raise CsrfError
    if not hmac.compare_digest(csrf_token(request, secret), submitted):
        raise CsrfError


def set_cookie(
    response: Response,
    request: Request,
    name: str,
    value: str,
    *,
    max_age: int | None,
    secure: bool | None,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request) if secure is None else secure,
    )


def clear_cookie(response: Response, request: Request, name: str, secure: bool | None) -> None:
    response.delete_cookie(
        name,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request) if secure is None else secure,
    )
