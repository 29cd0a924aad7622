"""OAUTHBEARER tokens: fetched anew at each authentication, failures named."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jwt
import pytest

from localrights.kafka_tokens import CommandTokenProvider, FileTokenProvider, TokenError


class TestTokenFromAFile:
    async def test_a_rotated_file_gives_the_new_token(self, tmp_path: Path) -> None:
        path = tmp_path / "token"
        path.write_text("first\n")
        provider = FileTokenProvider(path)
        assert await provider.token() == "first"
        path.write_text("second\n")  # the platform rotated it
        assert await provider.token() == "second"

    async def test_an_empty_file_is_named(self, tmp_path: Path) -> None:
        path = tmp_path / "token"
        path.write_text("\n")
        with pytest.raises(TokenError, match=f"KAFKA_SASL_OAUTH_TOKEN_FILE={path} is empty"):
            await FileTokenProvider(path).token()

    async def test_a_missing_file_is_named(self, tmp_path: Path) -> None:
        with pytest.raises(TokenError, match="KAFKA_SASL_OAUTH_TOKEN_FILE=.*No such file"):
            await FileTokenProvider(tmp_path / "absent").token()


def counting_command(tmp_path: Path, printed: str) -> tuple[str, Path]:
    """A command printing ``printed`` and counting its runs in a file."""
    runs = tmp_path / "runs"
    script = tmp_path / "print_token.py"
    script.write_text(
        "import pathlib, sys\n"
        f"runs = pathlib.Path({str(runs)!r})\n"
        "runs.write_text(str(int(runs.read_text() or 0) + 1) if runs.exists() else '1')\n"
        f"sys.stdout.write({printed!r})\n"
    )
    return f"{sys.executable} {script}", runs


class TestTokenFromACommand:
    async def test_a_jwt_is_reused_until_shortly_before_it_expires(self, tmp_path: Path) -> None:
        token = jwt.encode({"exp": int(time.time()) + 3600}, "k" * 32, algorithm="HS256")
        command, runs = counting_command(tmp_path, token + "\n")
        provider = CommandTokenProvider(command)
        assert await provider.token() == token
        assert await provider.token() == token
        assert runs.read_text() == "1"

    async def test_an_opaque_token_is_fetched_at_each_authentication(self, tmp_path: Path) -> None:
        command, runs = counting_command(tmp_path, "opaque-token")
        provider = CommandTokenProvider(command)
        assert await provider.token() == "opaque-token"
        assert await provider.token() == "opaque-token"
        assert runs.read_text() == "2"

    async def test_a_failing_command_is_named_with_its_error(self) -> None:
        provider = CommandTokenProvider(
            f"{sys.executable} -c \"import sys; sys.exit('no credentials')\""
        )
        with pytest.raises(
            TokenError, match="KAFKA_SASL_OAUTH_TOKEN_COMMAND .* exited with 1: no credentials"
        ):
            await provider.token()

    async def test_a_command_that_does_not_exist(self) -> None:
        with pytest.raises(TokenError, match="could not run"):
            await CommandTokenProvider("/nowhere/print-token").token()
