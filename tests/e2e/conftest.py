"""The whole platform as processes (the README's launcher), driven only through the gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from launch import Stack

from .platform_client import Platform


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One platform for the end-to-end tests of this session, on free ports."""
    run_dir: Path = tmp_path_factory.mktemp("stack")
    with Stack(run_dir) as platform:
        yield platform


@pytest.fixture
async def platform(stack: Stack) -> AsyncIterator[Platform]:
    client = Platform(stack.gateway_url, stack.admin)
    yield client
    await client.close()
