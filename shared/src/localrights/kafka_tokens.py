"""OAUTHBEARER tokens for aiokafka: from a file, or from a command's output.

aiokafka asks its token provider at each authentication (each new broker connection).
Both providers fetch the token anew then, so a token that expires is replaced without a
restart: a file the platform rewrites (a Kubernetes projected service-account token, a
sidecar's output) is read again; a command (a cloud CLI printing an access token) is run
again unless the token it printed last, a JWT, is still valid for a while.
"""

from __future__ import annotations

import asyncio
import shlex
import time
from pathlib import Path

import jwt
from aiokafka.abc import AbstractTokenProvider

# A token this close to its expiry is not reused: a connection authenticated with it may
# be asked to re-authenticate soon after.
REUSE_MARGIN_SECONDS = 60.0


class TokenError(RuntimeError):
    """No token could be had; the message names the setting it came from."""


class FileTokenProvider(AbstractTokenProvider):  # type: ignore[misc]
    """The token in ``path`` (``KAFKA_SASL_OAUTH_TOKEN_FILE``), read at each authentication."""

    def __init__(self, path: Path) -> None:
        self._path = path

    async def token(self) -> str:
        try:
            text = await asyncio.to_thread(self._path.read_text, encoding="utf-8")
        except OSError as exc:
            raise TokenError(f"KAFKA_SASL_OAUTH_TOKEN_FILE={self._path}: {exc.strerror}") from exc
        token = text.strip()
        if not token:
            raise TokenError(f"KAFKA_SASL_OAUTH_TOKEN_FILE={self._path} is empty")
        return token


class CommandTokenProvider(AbstractTokenProvider):  # type: ignore[misc]
    """The token a command prints (``KAFKA_SASL_OAUTH_TOKEN_COMMAND``), run without a shell."""

    def __init__(self, command: str, *, timeout: float = 30.0) -> None:
        self._argv = shlex.split(command)
        self._timeout = timeout
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._reuse_until = 0.0

    async def token(self) -> str:
        # One command at a time: connections opened together share its token.
        async with self._lock:
            if self._token is None or time.time() >= self._reuse_until:
                self._token = await self._run()
                self._reuse_until = _expiry(self._token) - REUSE_MARGIN_SECONDS
            return self._token

    async def _run(self) -> str:
        name = f"KAFKA_SASL_OAUTH_TOKEN_COMMAND ({self._argv[0]})"
        try:
            process = await asyncio.create_subprocess_exec(
                *self._argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
        except OSError as exc:
            raise TokenError(f"{name} could not run: {exc.strerror}") from exc
        try:
            out, err = await asyncio.wait_for(process.communicate(), self._timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise TokenError(f"{name} gave no token within {self._timeout:g} s") from None
        if process.returncode != 0:
            reason = err.decode(errors="replace").strip()[-500:]
            raise TokenError(f"{name} exited with {process.returncode}: {reason}")
        token = out.decode(errors="replace").strip()
        if not token:
            raise TokenError(f"{name} printed no token")
        return token


def _expiry(token: str) -> float:
    """When a JWT expires (its ``exp``); now for an opaque token, so it is never reused."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return time.time()
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) else time.time()
