"""Page tests: the whole platform started as processes (deploy/launch.py), driven over HTTP."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from launch import Stack  # noqa: E402
from web_factories import Officer, make_officer, token_for  # noqa: E402


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One platform for the page tests (rate limits off: many pages come from one address)."""
    with Stack(
        tmp_path_factory.mktemp("web-stack"),
        extra_env={"GATEWAY_RATE_LIMIT_ENABLED": "false"},
    ) as platform:
        yield platform


@pytest.fixture(scope="session")
def api(web_stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web_stack.gateway_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def admin_token(api: httpx.Client, web_stack: Stack) -> str:
    return token_for(api, *web_stack.admin)


@pytest.fixture(scope="session")
def officer(api: httpx.Client, admin_token: str) -> Officer:
    return make_officer(api, admin_token)


@pytest.fixture
def browser(web_stack: Stack) -> Iterator[httpx.Client]:
    """A cookie-keeping client that reads pages as a browser would (no redirects followed)."""
    with httpx.Client(
        base_url=web_stack.gateway_url,
        timeout=30,
        headers={"User-Agent": "page-test", "Accept-Language": "en"},
    ) as client:
        yield client
